# cell: ex2_answer
# verdict: wrong
# misconception: polls without a timeout or deadline until max_messages have arrived: blocks
#   forever when the partition holds fewer than max_messages records from the offset on
#   ("at most max_messages")
# loses: ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list[tuple[int, str]]:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}",
                                                enable_auto_commit=False))
    consumer.assign([TopicPartition(topic, partition, offset)])
    out = []
    while len(out) < max_messages:
        msg = consumer.poll()
        if msg.error():
            continue
        out.append((msg.offset(), msg.value().decode()))
    consumer.close()
    return out
