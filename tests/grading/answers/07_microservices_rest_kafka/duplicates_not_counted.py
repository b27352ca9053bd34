# cell: ex1_solution
# verdict: wrong
# misconception: "handled" means "routed": a skipped duplicate is committed but not counted, so the call keeps
#   polling past the records it was asked for and returns too few (ex: a duplicate counts as handled)
# loses: ex1_test_duplicates
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    routed = {r.key for r in read_all(config, [passed, review])}
    producer = Producer({**config, "enable.idempotence": True})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    routed_now, deadline = 0, time.monotonic() + timeout
    try:
        while routed_now < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            key = msg.key().decode()
            if key in routed:
                consumer.commit(message=msg, asynchronous=False)  # skip it, but move on
                continue
            total = json.loads(msg.value())["total"]
            producer.produce(review if total > limit else passed, key=msg.key(),
                             value=msg.value())
            routed.add(key)
            producer.flush(30)
            consumer.commit(message=msg, asynchronous=False)
            routed_now += 1
    finally:
        consumer.close()
    return routed_now
