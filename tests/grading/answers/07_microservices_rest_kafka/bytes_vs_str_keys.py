# cell: ex1_solution
# verdict: wrong
# misconception: the dedup set mixes key types: ids read back with read_all are str, msg.key() is bytes, so an order
#   routed by an earlier process is never recognised (only repeats within the same process are)
# loses: ex1_test_duplicates
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    routed = set(r.key for r in read_all(config, [passed, review]))
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
            if msg.key() not in routed:
                total = json.loads(msg.value())["total"]
                producer.produce(review if total > limit else passed, key=msg.key(),
                                 value=msg.value())
                routed.add(msg.key())
            producer.flush(30)
            consumer.commit(message=msg, asynchronous=False)
            handled += 1
    finally:
        consumer.close()
    return handled
