# cell: ex2_answer
# verdict: wrong
# misconception: subscribes with a fresh group and auto.offset.reset=earliest, so reading starts at the partition's first offset, not at the offset asked for
# loses: ex2_from_offset,ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}"))
    consumer.subscribe([topic])
    out = []
    deadline = time.monotonic() + 10
    try:
        while len(out) < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None or msg.partition() != partition:
                continue
            out.append((msg.offset(), msg.value().decode()))
    finally:
        consumer.close()
    return out
