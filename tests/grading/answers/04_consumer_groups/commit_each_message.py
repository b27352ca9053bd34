# cell: ex1_answer
# verdict: correct
# misconception: (none) one record at a time, committed synchronously right after it is processed
def at_least_once_worker(config, topic, process, should_stop):
    settings = dict(config)
    settings["enable.auto.commit"] = False
    consumer = Consumer(settings)
    consumer.subscribe([topic])
    try:
        while not should_stop():
            msg = consumer.poll(0.3)
            if msg is None:
                continue
            if msg.error():
                continue
            process(msg)
            consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()
