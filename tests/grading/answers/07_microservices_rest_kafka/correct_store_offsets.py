# cell: ex1_solution
# verdict: correct
# misconception: none: auto-commit kept on, but offsets are stored by hand only after the output was acknowledged (enable.auto.offset.store=false)
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    already = set()
    for rec in read_all(config, [passed, review]):
        already.add(rec.key)
    producer = Producer({**config, "enable.idempotence": True})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": True,
                         "enable.auto.offset.store": False, "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    n = 0
    stop = time.monotonic() + timeout
    while n < max_messages and time.monotonic() < stop:
        msg = consumer.poll(0.5)
        if msg is None or msg.error() is not None:
            continue
        oid = msg.key().decode()
        if oid not in already:
            target = passed if json.loads(msg.value())["total"] <= limit else review
            producer.produce(target, key=msg.key(), value=msg.value())
            if producer.flush(30) > 0:
                raise RuntimeError("the broker did not acknowledge the order")
            already.add(oid)
        consumer.store_offsets(message=msg)
        n += 1
    consumer.close()  # commits the stored offsets
    return n
