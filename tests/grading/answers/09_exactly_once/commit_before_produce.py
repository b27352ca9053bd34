# cell: ex_answer
# verdict: wrong
# misconception: offsets committed before the output is produced (a crash in between loses the batch)
# loses: test_ex_crashes
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    consumer = Consumer({**consumer_config, "enable.auto.commit": False})
    producer = Producer({**producer_config, "enable.idempotence": True})
    consumer.subscribe([source])
    while not should_stop():
        batch = [m for m in consumer.consume(20, 0.3) if m.error() is None]
        if not batch:
            continue
        consumer.commit(asynchronous=False)
        for msg in batch:
            producer.produce(sink, key=msg.key(), value=msg.value())
        producer.flush(30)
    producer.flush(30)
    consumer.close()
