# cell: ex2_answer
# verdict: wrong
# misconception: reads to the end of the partition whatever max_messages says
# loses: ex2_other_offset
def read_from(topic: str, partition: int, offset: int, max_messages: int) -> list:
    consumer = Consumer(cluster.consumer_config(f"ex2-{uuid.uuid4().hex[:6]}",
                                                enable_auto_commit=False))
    consumer.assign([TopicPartition(topic, partition, offset)])
    out, idle = [], 0
    try:
        while idle < 4:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                idle += 1
                continue
            idle = 0
            out.append((msg.offset(), msg.value().decode()))
    finally:
        consumer.close()
    return out
