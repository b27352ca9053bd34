# cell: ex1_answer
# verdict: correct
# misconception: (none) the delivery callback set once in the producer's config (on_delivery), a defaultdict, and poll() until len(producer) is 0 instead of flush()
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    from collections import defaultdict

    per_partition = defaultdict(int)

    def report(err, msg):
        if not err:
            per_partition[msg.partition()] += 1

    producer = Producer({**config, "on_delivery": report})
    for key, value in records:
        producer.produce(topic, value=value, key=key)
        producer.poll(0)
    while len(producer) > 0:  # records in flight plus reports not yet served
        producer.poll(0.1)
    return dict(per_partition)
