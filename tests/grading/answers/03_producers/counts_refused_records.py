# cell: ex1_answer
# verdict: wrong
# misconception: every delivery report counted, errors included (a record the broker refused counted as written)
# loses: ex1_test_refused
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    counts: dict[int, int] = {}

    def on_delivery(err, msg):
        counts[msg.partition()] = counts.get(msg.partition(), 0) + 1

    producer = Producer(config)
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
        producer.poll(0)
    producer.flush(30)
    return counts
