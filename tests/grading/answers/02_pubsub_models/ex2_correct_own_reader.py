# ruff: noqa
# cell: ex2-hybrid
# verdict: correct
# misconception: none: its own group-less reader (assign() every partition from the beginning,
#   consume() batches until n orders are read), writes in read order, counts what it wrote
def hybrid_processor(source, n, region_topics, min_amount):
    """Keep the orders of `source` with amount >= min_amount; write each, projected, to its region's topic."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    reader = Consumer({**cluster.client_config(), "group.id": f"hybrid-{uuid.uuid4().hex[:6]}",
                       "enable.auto.commit": False})
    writer = Producer(cluster.producer_config(enable_idempotence=True))
    seen = written = 0
    try:
        partitions = reader.list_topics(source, timeout=10).topics[source].partitions
        reader.assign([TopicPartition(source, p, OFFSET_BEGINNING) for p in partitions])
        deadline = time.monotonic() + 60
        while seen < n and time.monotonic() < deadline:
            for msg in reader.consume(num_messages=500, timeout=0.5):
                if msg.error():
                    continue
                seen += 1
                order = json.loads(msg.value())
                if order["amount"] < min_amount:
                    continue
                row = {"id": order["id"], "customer": order["customer"], "amount": order["amount"]}
                writer.produce(region_topics[order["region"]], key=msg.key(), value=json.dumps(row))
                writer.poll(0)
                written += 1
    finally:
        reader.close()
    if writer.flush(30):
        raise RuntimeError("some projected orders were not delivered")
    return written
