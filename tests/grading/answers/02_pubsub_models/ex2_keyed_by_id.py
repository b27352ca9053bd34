# ruff: noqa
# cell: ex2-hybrid
# verdict: wrong
# misconception: re-keys the derived stream by the projected row's id (its "primary key") instead
#   of keeping the source key (the customer), so a customer's orders no longer share a key
# loses: ex2-projection-order
def hybrid_processor(source, n, region_topics, min_amount):
    """Keep the orders of `source` with amount >= min_amount; write each, projected, to its region's topic."""
    records = consume(cluster.client_config(), [source], max_messages=n, timeout=60)
    producer = Producer(cluster.producer_config(linger_ms=5, enable_idempotence=True))
    written = 0
    for rec in records:
        order = json.loads(rec.value)
        if order["amount"] >= min_amount:
            row = {"id": order["id"], "customer": order["customer"], "amount": order["amount"]}
            producer.produce(region_topics[order["region"]], key=str(row["id"]),
                             value=json.dumps(row))
            producer.poll(0)
            written += 1
    assert producer.flush(30) == 0, "some records were not delivered"
    return written
