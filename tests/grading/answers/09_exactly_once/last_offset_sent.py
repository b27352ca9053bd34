# cell: ex_answer
# verdict: wrong
# misconception: send_offsets_to_transaction given the offset of the last copied record instead of the next one to read (off by one: every restart copies each partition's last record again)
# loses: test_ex_crashes
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    consumer = Consumer({**consumer_config, "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    producer = Producer({**producer_config, "transactional.id": transactional_id})
    producer.init_transactions(30)
    consumer.subscribe([source])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(20, 0.3) if m.error() is None]
            if not batch:
                continue
            last = {}
            producer.begin_transaction()
            for msg in batch:
                producer.produce(sink, key=msg.key(), value=msg.value())
                last[msg.partition()] = msg.offset()
            producer.send_offsets_to_transaction(
                [TopicPartition(source, p, o) for p, o in last.items()],
                consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
    finally:
        consumer.close()
