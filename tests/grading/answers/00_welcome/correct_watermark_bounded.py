# cell: ex2_answer
# verdict: correct
# misconception: none: asks the partition's end offset first and reads until min(end, offset +
#   max_messages), returning at once when there is nothing to read
def read_from(topic, partition, offset, max_messages):
    consumer = Consumer(cluster.consumer_config("reader-" + uuid.uuid4().hex[:8],
                                                enable_auto_commit=False,
                                                enable_partition_eof=True))
    try:
        _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        stop_at = min(high, offset + max_messages)
        pairs = []
        if offset >= stop_at:
            return pairs
        consumer.assign([TopicPartition(topic, partition, offset)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (not pairs or pairs[-1][0] + 1 < stop_at):
            msg = consumer.poll(0.2)
            if msg is None or msg.error():  # end-of-partition events are errors too
                continue
            pairs.append((msg.offset(), msg.value().decode("utf-8")))
        return pairs
    finally:
        consumer.close()
