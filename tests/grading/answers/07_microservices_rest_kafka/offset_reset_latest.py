# cell: ex1_solution
# verdict: wrong
# misconception: a new consumer group reads the topic from its beginning by itself (auto.offset.reset is left at
#   its default, latest: the orders already in the topic are skipped)
# loses: ex1_test_restart, ex1_test_duplicates
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    routed = {r.key for r in read_all(config, [passed, review])}
    producer = Producer({**config, "enable.idempotence": True})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False})
    consumer.subscribe([source])
    handled, deadline = 0, time.monotonic() + timeout
    try:
        while handled < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            key = msg.key().decode()
            if key not in routed:
                target = review if json.loads(msg.value())["total"] > limit else passed
                producer.produce(target, key=msg.key(), value=msg.value())
                routed.add(key)
            producer.flush(30)
            consumer.commit(message=msg, asynchronous=False)
            handled += 1
    finally:
        consumer.close()
    return handled
