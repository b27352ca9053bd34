# cell: ex1_answer
# verdict: wrong
# misconception: the callback and its counter live at module level (every call returns the running total of all earlier calls, not this call's records)
# loses: ex1_test_counts, ex1_test_partitioner, ex1_test_refused
# ex1_selfcheck (the first call) passes; every later call adds to what earlier calls counted.
delivered_per_partition = {}


def count_delivery(err, msg):
    if err is None:
        p = msg.partition()
        delivered_per_partition[p] = delivered_per_partition.get(p, 0) + 1


def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    producer = Producer(config)
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=count_delivery)
        producer.poll(0)
    producer.flush(30)
    return delivered_per_partition
