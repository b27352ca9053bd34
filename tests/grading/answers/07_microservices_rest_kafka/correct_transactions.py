# cell: ex1_solution
# verdict: correct
# misconception: none: the textbook exactly-once consume-process-produce loop (lesson 09's pattern): one Kafka
#   transaction per record holds the routed order AND the input offset (send_offsets_to_transaction), a stable
#   transactional.id fences and aborts a killed predecessor; upstream duplicates skipped via the output topics
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    producer = Producer({**config, "transactional.id": f"fraud-check-{group_id}"})
    producer.init_transactions(30)  # fences a dead predecessor, aborts its open transaction
    routed = {r.key for r in read_all(config, [passed, review])}
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    consumer.subscribe([source])
    handled, deadline = 0, time.monotonic() + timeout
    try:
        while handled < max_messages and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            key = msg.key().decode()
            producer.begin_transaction()
            if key not in routed:
                target = review if json.loads(msg.value())["total"] > limit else passed
                producer.produce(target, key=msg.key(), value=msg.value())
            producer.send_offsets_to_transaction(
                [TopicPartition(msg.topic(), msg.partition(), msg.offset() + 1)],
                consumer.consumer_group_metadata())
            producer.commit_transaction(30)
            routed.add(key)
            handled += 1
    finally:
        consumer.close()
    return handled
