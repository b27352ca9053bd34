# cell: ex1_solution
# verdict: correct
# misconception: none: batches from consume(), one flush and one commit per batch, the routed ids read back from the output topics
def fraud_check(config: dict, group_id: str, source: str, passed: str, review: str,
                limit: float, max_messages: int, timeout: float = 20.0) -> int:
    seen = {r.key for r in read_all(config, [passed, review])}
    producer = Producer({**config, "enable.idempotence": True, "acks": "all"})
    consumer = Consumer({**config, "group.id": group_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([source])
    done, deadline = 0, time.monotonic() + timeout
    try:
        while done < max_messages and time.monotonic() < deadline:
            batch = [m for m in consumer.consume(min(5, max_messages - done), 0.5)
                     if m.error() is None]
            for msg in batch:
                order = json.loads(msg.value())
                if order["order_id"] in seen:
                    continue
                topic = review if order["total"] > limit else passed
                producer.produce(topic, key=msg.key(), value=msg.value())
                seen.add(order["order_id"])
            if batch:
                assert producer.flush(30) == 0, "outputs not acknowledged"
                consumer.commit(asynchronous=False)
                done += len(batch)
    finally:
        consumer.close()
    return done
