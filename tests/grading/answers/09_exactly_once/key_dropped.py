# cell: ex_answer
# verdict: wrong
# misconception: only the value is copied (produce(sink, msg.value())): the output records have no key, so they are spread over the sink's partitions and per-key order is gone
# loses: test_ex_crashes
# The output records have no key: no (key, value) input record is in the output.
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
            producer.begin_transaction()
            for msg in batch:
                producer.produce(sink, msg.value())
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
    finally:
        consumer.close()
