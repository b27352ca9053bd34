# cell: ex1_answer
# verdict: wrong
# misconception: returns [partition, offset] lists where (partition, offset) tuples are asked for
# loses: ex1_positions,ex1_fresh_topic
def produce_keyed(topic: str, n: int) -> dict:
    placed = {}

    def report(err, msg):
        if err is None:
            placed[msg.key().decode()] = [msg.partition(), msg.offset()]

    p = Producer(cluster.producer_config())
    for i in range(n):
        p.produce(topic, key=f"user-{i}", value=f"event-{i}", on_delivery=report)
    p.flush(30)
    return placed
