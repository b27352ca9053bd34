# cell: ex1_answer
# verdict: wrong
# misconception: poll(0) after each produce() is taken as waiting for the broker: the function
#   returns before any acknowledgement arrives (and the producer is destroyed with its queue)
# loses: ex1_positions,ex1_fresh_topic
# may_lose: ex1_messages
#   (whether the destroyed producer still got any record out depends on timing; librdkafka
#   normally drops what is still queued, so the topic is then short of messages too)
def produce_keyed(topic: str, n: int) -> dict[str, tuple[int, int]]:
    placed = {}

    def report(err, msg):
        if err is None:
            placed[msg.key().decode()] = (msg.partition(), msg.offset())

    p = Producer(cluster.producer_config())
    for i in range(n):
        p.produce(topic, key=f"user-{i}", value=f"event-{i}", on_delivery=report)
        p.poll(0)
    return placed
