# cell: ex2_answer
# verdict: wrong
# misconception: reads max_messages records from the start of the partition and keeps those at or
#   after the offset (max_messages taken as a bound on what is read, not on what is returned)
# loses: ex2_from_offset,ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list[tuple[int, str]]:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}",
                                                enable_auto_commit=False))
    consumer.assign([TopicPartition(topic, partition, 0)])
    out, seen = [], 0
    deadline = time.monotonic() + 10
    try:
        while seen < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                continue
            seen += 1
            if msg.offset() >= offset:
                out.append((msg.offset(), msg.value().decode()))
    finally:
        consumer.close()
    return out
