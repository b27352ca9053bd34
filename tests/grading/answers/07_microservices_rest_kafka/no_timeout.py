# cell: ex1_solution
# verdict: wrong
# misconception: the loop only stops at max_messages; the timeout parameter is ignored, so a call asked for more
#   records than the topic holds (or with a stuck partition) never returns
# loses: ex1_test_restart
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    routed = {r.key for r in read_all(config, [passed, review])}
    producer = Producer({**config, "enable.idempotence": True})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    handled = 0
    while handled < max_messages:
        msg = consumer.poll(1.0)
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
    consumer.close()
    return handled
