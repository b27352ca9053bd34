# cell: ex1_answer
# verdict: correct
# misconception: (none) explicit next offsets per partition committed asynchronously after each processed batch
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": "false"})
    consumer.subscribe([topic])
    while not should_stop():
        done = {}
        for m in consumer.consume(num_messages=20, timeout=1.0):
            if m.error():
                continue
            process(m)
            done[m.partition()] = m.offset() + 1
        if done:
            consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in done.items()],
                            asynchronous=True)
    consumer.close()
