# cell: ex1_solution
# verdict: wrong
# misconception: the routed record carries a re-built value with the routing decision added ("route", "limit"),
#   not the same value as the input record (the exercise asks for same key and same value)
# loses: ex1_test_restart, ex1_test_duplicates
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    routed = {r.key for r in read_all(config, [passed, review])}
    producer = Producer({**config, "enable.idempotence": True})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    handled, deadline = 0, time.monotonic() + timeout
    try:
        while handled < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            order = json.loads(msg.value())
            if order["order_id"] not in routed:
                route = "review" if order["total"] > limit else "passed"
                out = {**order, "route": route, "limit": limit}  # downstream sees why
                producer.produce(review if route == "review" else passed,
                                 key=order["order_id"], value=json.dumps(out))
                routed.add(order["order_id"])
            producer.flush(30)
            consumer.commit(message=msg, asynchronous=False)
            handled += 1
    finally:
        consumer.close()
    return handled
