# cell: ex_answer
# verdict: wrong
# misconception: send_offsets_to_transaction given consumer.committed() (the offsets the group committed last time, one batch behind the records copied: a restart copies the last batch again)
# loses: test_ex_crashes
# The first transaction sends no valid offset (nothing committed yet: librdkafka ignores invalid
# offsets), so the first crash (after commit_transaction #1) already repeats the first batch.
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
                producer.produce(sink, key=msg.key(), value=msg.value())
            producer.send_offsets_to_transaction(consumer.committed(consumer.assignment(), 30),
                                                 consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
    finally:
        consumer.close()
