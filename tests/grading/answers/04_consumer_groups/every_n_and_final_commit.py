# cell: ex1_answer
# verdict: correct
# misconception: (none) commit every 100 processed records and once more when asked to stop, before close (at least once; the committed offsets reach the end when the workers stop)
# Its tail is committed when should_stop() turns True: the test judges the committed offsets
# after the workers stopped (static members: one closing does not rebalance the others).
def at_least_once_worker(config, topic, process, should_stop):
    from confluent_kafka import KafkaException

    consumer = Consumer({**config, "enable.auto.commit": False})
    consumer.subscribe([topic])
    processed = 0
    try:
        while not should_stop():
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            process(msg)
            processed += 1
            if processed % 100 == 0:
                consumer.commit(asynchronous=False)
        try:
            consumer.commit(asynchronous=False)  # what was processed since the last commit
        except KafkaException:
            pass  # nothing new to commit
    finally:
        consumer.close()
