# cell: ex1_solution
# verdict: wrong
# misconception: auto-commit (the default) commits a record's offset when poll hands it over, before its output is safe
# loses: ex1_test_restart
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    routed = {r.key for r in read_all(config, [passed, review])}
    producer = Producer(config)
    consumer = Consumer({**config, "group.id": group_id, "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    handled, deadline = 0, time.monotonic() + timeout
    while handled < max_messages and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        order = json.loads(msg.value())
        if order["order_id"] not in routed:
            producer.produce(review if order["total"] > limit else passed, key=msg.key(),
                             value=msg.value())
            producer.flush()
            routed.add(order["order_id"])
        handled += 1
    consumer.close()
    return handled
