# cell: ex1_answer
# verdict: wrong
# misconception: partitions predicted by hashing the key (CRC32) instead of read from the delivery reports
# loses: ex1_test_partitioner, ex1_test_refused
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    import time
    import zlib

    producer = Producer(config)
    partitions, deadline = 0, time.monotonic() + 10
    while not partitions and time.monotonic() < deadline:  # a new topic's metadata may lag
        partitions = len(producer.list_topics(topic, timeout=10).topics[topic].partitions)
    counts: dict[int, int] = {}
    for key, value in records:
        producer.produce(topic, key=key, value=value)
        producer.poll(0)
        p = zlib.crc32(key.encode()) % partitions
        counts[p] = counts.get(p, 0) + 1
    producer.flush(30)
    return counts
