# cell: ex1_answer
# verdict: wrong
# misconception: keys returned as the bytes the client hands back (b"user-0"), not decoded to str
# loses: ex1_positions,ex1_fresh_topic
def produce_keyed(topic: str, n: int) -> dict:
    placed = {}

    def report(err, msg):
        if err is None:
            placed[msg.key()] = (msg.partition(), msg.offset())

    p = Producer(cluster.producer_config())
    for i in range(n):
        p.produce(topic, key=f"user-{i}", value=f"event-{i}", on_delivery=report)
    p.flush(30)
    return placed
