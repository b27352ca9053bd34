# cell: ex2_answer
# verdict: wrong
# misconception: treats the offset as the last message already read (as a committed offset is misread) and starts one after it
# loses: ex2_from_offset,ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}",
                                                enable_auto_commit=False))
    consumer.assign([TopicPartition(topic, partition, offset + 1)])
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
