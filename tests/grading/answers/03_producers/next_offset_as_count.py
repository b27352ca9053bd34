# cell: ex1_answer
# verdict: wrong
# misconception: the count of a partition taken as its last reported offset + 1 (true only for a topic that was empty before this call: on a topic already holding records it counts them too)
# loses: ex1_test_counts
# ex1_test_counts' hidden second call produces to its topic again: "last offset + 1" then
# counts the first call's records too.
def produce_keyed(config: dict, topic: str, records: list[tuple[str, str]]) -> dict[int, int]:
    next_offset: dict[int, int] = {}

    def on_delivery(err, msg):
        if err is None:
            # offsets start at 0: the record at offset n is the (n+1)-th of its partition
            next_offset[msg.partition()] = max(next_offset.get(msg.partition(), 0),
                                               msg.offset() + 1)

    producer = Producer(config)
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
        producer.poll(0)
    producer.flush(30)
    return next_offset
