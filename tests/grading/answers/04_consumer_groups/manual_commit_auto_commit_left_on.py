# cell: ex1_answer
# verdict: wrong
# misconception: commits by hand after processing but leaves enable.auto.commit on (the background auto-commit still commits what poll() handed over, before it is processed)
# loses: ex1_test_none_lost
# poll() stores offset+1 of the record it hands over; the 100 ms auto-commit commits it while
# process() runs, so the crash point finds the committed offset past its record: lost.
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer(config)
    consumer.subscribe([topic])
    try:
        while not should_stop():
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            process(msg)
            consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()
