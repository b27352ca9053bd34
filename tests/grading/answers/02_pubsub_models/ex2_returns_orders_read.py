# ruff: noqa
# cell: ex2-hybrid
# verdict: wrong
# misconception: returns how many orders it processed (read), not how many records it wrote
# loses: ex2-projection-order
def hybrid_processor(source, n, region_topics, min_amount):
    """Keep the orders of `source` with amount >= min_amount; write each, projected, to its region's topic."""
    records = consume(cluster.client_config(), [source], max_messages=n, timeout=60)
    producer = Producer(cluster.producer_config(linger_ms=5, enable_idempotence=True))
    for rec in records:
        order = json.loads(rec.value)
        if order["amount"] >= min_amount:
            value = {k: order[k] for k in ("id", "customer", "amount")}
            producer.produce(region_topics[order["region"]], key=rec.key, value=json.dumps(value))
            producer.poll(0)
    assert producer.flush(30) == 0, "some records were not delivered"
    return len(records)
