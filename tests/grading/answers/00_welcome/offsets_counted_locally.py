# cell: ex1_answer
# verdict: wrong
# misconception: offsets counted by the producer from 0 per partition (true only on an empty topic), not taken from the broker's acknowledgements
# loses: ex1_fresh_topic
def produce_keyed(topic: str, n: int) -> dict:
    import zlib

    p = Producer(cluster.producer_config())
    parts = len(p.list_topics(topic, timeout=10).topics[topic].partitions)
    next_offset = {q: 0 for q in range(parts)}
    placed = {}
    for i in range(n):
        key = f"user-{i}"
        partition = zlib.crc32(key.encode()) % parts
        p.produce(topic, key=key, value=f"event-{i}")
        placed[key] = (partition, next_offset[partition])
        next_offset[partition] += 1
    p.flush(30)
    return placed
