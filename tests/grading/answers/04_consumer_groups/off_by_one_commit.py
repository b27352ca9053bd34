# cell: ex1_answer
# verdict: wrong
# misconception: commit the offset of the last processed record instead of the next one to read (off by one)
# loses: ex1_test_committed
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": False})
    consumer.subscribe([topic])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(50, 0.5) if m.error() is None]
            last = {}
            for msg in batch:
                process(msg)
                last[(msg.topic(), msg.partition())] = msg.offset()
            if last:
                consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in last.items()],
                                asynchronous=False)
    finally:
        consumer.close()
