# cell: ex1_answer
# verdict: wrong
# misconception: assign() every partition to each worker instead of subscribing as a group (every worker processes everything)
# loses: ex1_test_shared
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": False})
    meta = consumer.list_topics(topic, timeout=10)
    parts = [TopicPartition(topic, p) for p in meta.topics[topic].partitions]
    committed = consumer.committed(parts, timeout=10)
    consumer.assign([TopicPartition(topic, tp.partition, tp.offset if tp.offset >= 0 else 0)
                     for tp in committed])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(50, 0.5) if m.error() is None]
            for msg in batch:
                process(msg)
            if batch:
                consumer.commit(asynchronous=False)
    finally:
        consumer.close()
