# cell: ex1_answer
# verdict: wrong
# misconception: the last offset per partition taken as the number of records (off by one)
# loses: ex1_test_counts, ex1_test_partitioner, ex1_test_refused
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    last: dict[int, int] = {}

    def on_delivery(err, msg):
        if err is None:
            last[msg.partition()] = max(last.get(msg.partition(), 0), msg.offset())

    producer = Producer(config)
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
        producer.poll(0)
    producer.flush(30)
    return last
