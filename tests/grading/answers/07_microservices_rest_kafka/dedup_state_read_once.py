# cell: ex1_solution
# verdict: wrong
# misconception: the routed ids are read back from the output topics at start-up only and never updated while the
#   process runs: duplicates are thought to come only from restarts, so an order sent twice upstream and seen twice
#   by the SAME process is routed twice
# loses: ex1_test_duplicates
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    # what earlier processes already routed (the only way an order can come back: a restart)
    already_routed = {r.key for r in read_all(config, [passed, review])}
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
            if order["order_id"] not in already_routed:
                producer.produce(review if order["total"] > limit else passed,
                                 key=msg.key(), value=msg.value())
            if producer.flush(30):
                raise RuntimeError("outputs not acknowledged")
            consumer.commit(message=msg, asynchronous=False)
            handled += 1
    finally:
        consumer.close()
    return handled
