# cell: ex_answer
# verdict: correct
# misconception: written differently: poll() one record at a time, a transaction per 5 records or per second, explicit assignment at the group's committed offsets
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    import time as clock

    plain = {k: v for k, v in consumer_config.items() if k != "group.instance.id"}
    consumer = Consumer({**plain, "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    producer = Producer({**producer_config, "transactional.id": transactional_id})
    producer.init_transactions(30)
    parts = consumer.list_topics(source, timeout=10).topics[source].partitions
    tps = [TopicPartition(source, p) for p in parts]
    start = consumer.committed(tps, timeout=30)
    consumer.assign([TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else 0)
                     for tp in start])
    pending, opened = 0, clock.monotonic()
    while not should_stop():
        msg = consumer.poll(0.2)
        if msg is not None and msg.error() is None:
            if pending == 0:
                producer.begin_transaction()
                opened = clock.monotonic()
            producer.produce(sink, key=msg.key(), value=msg.value())
            pending += 1
        if pending and (pending >= 5 or clock.monotonic() - opened > 1.0):
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
            pending = 0
    if pending:
        producer.abort_transaction(30)
    consumer.close()
