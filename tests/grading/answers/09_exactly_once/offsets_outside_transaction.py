# cell: ex_answer
# verdict: wrong
# misconception: the consumer commits its own offsets after the transaction instead of send_offsets_to_transaction (a crash in between repeats the batch)
# loses: test_ex_crashes
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    consumer = Consumer({**consumer_config, "enable.auto.commit": False})
    producer = Producer({**producer_config, "transactional.id": transactional_id})
    producer.init_transactions(30)
    consumer.subscribe([source])
    while not should_stop():
        batch = [m for m in consumer.consume(20, 0.3) if m.error() is None]
        if not batch:
            continue
        producer.begin_transaction()
        for msg in batch:
            producer.produce(sink, key=msg.key(), value=msg.value())
        producer.commit_transaction(30)
        consumer.commit(asynchronous=False)
    consumer.close()
