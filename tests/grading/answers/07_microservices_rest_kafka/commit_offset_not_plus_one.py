# cell: ex1_solution
# verdict: wrong
# misconception: commits the offset OF the record just handled (TopicPartition(..., msg.offset())) instead of the
#   next offset to read (msg.offset() + 1): every restart re-delivers the last record of each partition, and the
#   group never reaches the end of the topic (lag 1 per partition forever)
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
            order_id = msg.key().decode()
            if order_id not in routed:
                target = review if json.loads(msg.value())["total"] > limit else passed
                producer.produce(target, key=msg.key(), value=msg.value())
                routed.add(order_id)
            producer.flush(30)
            # "I processed this record, so I commit its offset"
            consumer.commit(offsets=[TopicPartition(msg.topic(), msg.partition(), msg.offset())],
                            asynchronous=False)
            handled += 1
    finally:
        consumer.close()
    return handled
