# cell: ex1_answer
# verdict: wrong
# misconception: config is only "where the broker is": the producer is built from bootstrap.servers alone, dropping the caller's settings (partitioner, linger.ms, batch.num.messages)
# loses: ex1_test_partitioner, ex1_test_refused
# ex1_test_partitioner: partitioner=murmur2_random is dropped, the records land by CRC32, not
# where murmur2 puts the keys. ex1_test_refused: batch.num.messages=1/linger.ms=0 are dropped,
# the 5000-byte records share batches with small ones and the broker refuses whole batches
# (MSG_SIZE_TOO_LARGE), so the topic holds far fewer than 90 records.
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    counts: dict[int, int] = {}

    def on_delivery(err, msg):
        if err is None:
            counts[msg.partition()] = counts.get(msg.partition(), 0) + 1

    producer = Producer({"bootstrap.servers": config["bootstrap.servers"], "acks": "all"})
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
        producer.poll(0)
    producer.flush(30)
    return counts
