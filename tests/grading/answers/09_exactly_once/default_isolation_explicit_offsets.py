# cell: ex_answer
# verdict: correct
# misconception: (none) isolation.level left at librdkafka's default (read_committed), next offsets built per partition from the batch, 50 records per transaction
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    consumer = Consumer({**consumer_config, "enable.auto.commit": False})
    producer = Producer({**producer_config, "transactional.id": transactional_id})
    producer.init_transactions(30)
    consumer.subscribe([source])
    while not should_stop():
        records = [m for m in consumer.consume(50, 0.5) if m.error() is None]
        if not records:
            continue
        next_offsets = {}
        producer.begin_transaction()
        for m in records:
            producer.produce(sink, value=m.value(), key=m.key())
            next_offsets[m.partition()] = m.offset() + 1
        producer.send_offsets_to_transaction(
            [TopicPartition(source, p, o) for p, o in next_offsets.items()],
            consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(30)
    consumer.close()
