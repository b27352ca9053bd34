# cell: ex1_answer
# verdict: wrong
# misconception: produce(topic, key, value) with positional arguments (confluent-kafka's order is value, then key: every record is partitioned by its value)
# loses: ex1_test_partitioner
# The counts come from the delivery reports, so they match the topic (ex1_test_counts, both calls) and the
# refused records (their 5000-byte "key" is still too large) are left out (ex1_test_refused);
# only the murmur2 prediction of ex1_test_partitioner looks at where the KEYS should have gone.
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    counts: dict[int, int] = {}

    def delivered(err, msg):
        if err is None:
            p = msg.partition()
            counts[p] = counts.get(p, 0) + 1

    producer = Producer(config)
    for key, value in records:
        producer.produce(topic, key, value, callback=delivered)
        producer.poll(0)
    producer.flush()
    return counts
