# cell: ex1_answer
# verdict: wrong
# misconception: spreads messages round-robin with partition=i % partitions instead of letting the key's partitioner place them
# loses: ex1_messages
def produce_keyed(topic: str, n: int) -> dict:
    placed = {}

    def report(err, msg):
        if err is None:
            placed[msg.key().decode()] = (msg.partition(), msg.offset())

    p = Producer(cluster.producer_config())
    parts = len(p.list_topics(topic, timeout=10).topics[topic].partitions)
    for i in range(n):
        p.produce(topic, key=f"user-{i}", value=f"event-{i}", partition=i % parts,
                  on_delivery=report)
    p.flush(30)
    return placed
