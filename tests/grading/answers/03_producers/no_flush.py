# cell: ex1_answer
# verdict: wrong
# misconception: no flush() before returning (delivery callbacks run only inside poll/flush, so most reports never arrive)
# loses: ex1_test_counts, ex1_test_partitioner, ex1_test_refused
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    counts: dict[int, int] = {}

    def on_delivery(err, msg):
        if err is None:
            counts[msg.partition()] = counts.get(msg.partition(), 0) + 1

    producer = Producer(config)
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
        producer.poll(0)
    return counts
