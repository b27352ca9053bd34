# cell: ex1_answer
# verdict: correct
# misconception: (none) auto-commit kept, but offsets stored by hand after processing (enable.auto.offset.store=false)
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": True, "enable.auto.offset.store": False})
    consumer.subscribe([topic])
    while not should_stop():
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        process(msg)
        consumer.store_offsets(message=msg)
    consumer.close()  # commits what was stored
