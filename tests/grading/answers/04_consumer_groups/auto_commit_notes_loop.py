# cell: ex1_answer
# verdict: wrong
# misconception: the notes' poll loop with auto-commit (offsets are stored when a record is handed over, not when it is processed)
# loses: ex1_test_none_lost
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer(config)
    consumer.subscribe([topic])
    while not should_stop():
        msg = consumer.poll(timeout=1.0)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            print(msg.error())
            break
        process(msg)
    consumer.close()
