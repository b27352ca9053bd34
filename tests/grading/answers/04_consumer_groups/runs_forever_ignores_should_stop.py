# cell: ex1_answer
# verdict: wrong
# misconception: a worker is a service that runs forever (while True: should_stop() never consulted, the consumer never closed: it leaves the group only when SIGKILLed)
# loses: ex1_test_committed
# Never returns when should_stop() turns True: killed 10 s after the stop request (pool.stuck).
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": False})
    consumer.subscribe([topic])
    while True:
        msgs = consumer.consume(num_messages=50, timeout=1.0)
        good = [m for m in msgs if not m.error()]
        for msg in good:
            process(msg)
        if good:
            consumer.commit(asynchronous=False)
