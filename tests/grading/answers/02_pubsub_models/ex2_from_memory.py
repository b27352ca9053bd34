# ruff: noqa
# cell: ex2-hybrid
# verdict: wrong
# misconception: filters the in-memory ex_events list instead of consuming the source topic
# loses: ex2-projection-order
def hybrid_processor(source, n, region_topics, min_amount):
    """Keep the orders of `source` with amount >= min_amount; write each, projected, to its region's topic."""
    records = ex_events
    producer = Producer(cluster.producer_config(linger_ms=5, enable_idempotence=True))
    written = 0
    for rec in records:
        order = rec
        if order["amount"] >= min_amount:
            value = {k: order[k] for k in ("id", "customer", "amount")}
            producer.produce(region_topics[order["region"]], key=order["customer"], value=json.dumps(value))
            producer.poll(0)
            written += 1
    assert producer.flush(30) == 0, "some records were not delivered"
    return written
