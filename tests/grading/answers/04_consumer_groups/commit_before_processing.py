# cell: ex1_answer
# verdict: wrong
# misconception: commit the batch as soon as it is received, then process it (a crash in between loses the batch)
# loses: ex1_test_none_lost
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": False})
    consumer.subscribe([topic])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(50, 0.5) if m.error() is None]
            if batch:
                consumer.commit(asynchronous=False)
            for msg in batch:
                process(msg)
    finally:
        consumer.close()
