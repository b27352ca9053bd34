# cell: ex2_answer
# verdict: wrong
# misconception: reads partition 0 whatever partition is asked for (the first topic has only one)
# loses: ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}",
                                                enable_auto_commit=False))
    consumer.assign([TopicPartition(topic, 0, offset)])
    out = []
    deadline = time.monotonic() + 10
    try:
        while len(out) < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                out.append((msg.offset(), msg.value().decode()))
    finally:
        consumer.close()
    return out
