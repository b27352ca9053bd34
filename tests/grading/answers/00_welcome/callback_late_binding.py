# cell: ex1_answer
# verdict: wrong
# misconception: the delivery callback takes the key from the loop variable (a lambda closing over
#   `key`) instead of msg.key(): callbacks run in flush(), after the loop, so every report is
#   filed under the last key
# loses: ex1_positions,ex1_fresh_topic
def produce_keyed(topic: str, n: int) -> dict[str, tuple[int, int]]:
    placed = {}
    p = Producer(cluster.producer_config())
    for i in range(n):
        key = f"user-{i}"
        p.produce(topic, key=key, value=f"event-{i}",
                  on_delivery=lambda err, msg: placed.update({key: (msg.partition(), msg.offset())}))
    p.flush(30)
    return placed
