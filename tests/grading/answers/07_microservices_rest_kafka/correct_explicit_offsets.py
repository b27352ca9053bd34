# cell: ex1_solution
# verdict: correct
# misconception: none: a dict of routed ids -> topic read back from the outputs, produce with a delivery callback,
#   flush, then commit the NEXT offset explicitly with a TopicPartition (offset + 1)
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    where = {}
    for rec in read_all(config, [passed, review]):
        where[rec.key] = rec.topic
    failures = []
    producer = Producer({**config, "enable.idempotence": True, "acks": "all"})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    count = 0
    t_end = time.monotonic() + timeout
    while count < max_messages and time.monotonic() < t_end:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error() is not None:
            continue
        oid = msg.key().decode()
        if oid not in where:
            total = json.loads(msg.value())["total"]
            dest = passed if total <= limit else review
            producer.produce(dest, key=msg.key(), value=msg.value(),
                             on_delivery=lambda err, m: err and failures.append(err))
            remaining = producer.flush(30)
            if remaining or failures:
                raise KafkaException(failures[0] if failures else "flush timed out")
            where[oid] = dest
        consumer.commit(offsets=[TopicPartition(msg.topic(), msg.partition(), msg.offset() + 1)],
                        asynchronous=False)
        count += 1
    consumer.close()
    return count
