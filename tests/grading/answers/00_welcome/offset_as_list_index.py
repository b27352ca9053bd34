# cell: ex2_answer
# verdict: wrong
# misconception: an offset is a position counted from the start of what the partition holds (a
#   list index): reads from offset 0 and slices [offset:offset + max_messages]; wrong as soon as
#   retention has moved the log start offset (lesson 00's own retention demo)
# loses: ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list[tuple[int, str]]:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}",
                                                enable_auto_commit=False))
    consumer.assign([TopicPartition(topic, partition, 0)])
    everything = []
    deadline = time.monotonic() + 10
    try:
        while len(everything) < offset + max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                continue
            everything.append((msg.offset(), msg.value().decode()))
    finally:
        consumer.close()
    return everything[offset:offset + max_messages]
