# ruff: noqa
# cell: ex2-hybrid
# verdict: correct
# misconception: a differently written processor: select then produce_all per region in read order

def hybrid_processor(source, n, region_topics, min_amount):
    """Keep the orders of `source` with amount >= min_amount; write each, projected, to its region's topic."""
    records = consume(cluster.client_config(), [source], max_messages=n, timeout=60)
    picked = {region: [] for region in region_topics}
    for rec in records:
        order = json.loads(rec.value)
        if order["amount"] < min_amount:
            continue
        projected = {"id": order["id"], "customer": order["customer"], "amount": order["amount"]}
        picked[order["region"]].append((rec.key, json.dumps(projected)))
    producer = Producer(cluster.producer_config(enable_idempotence=True))
    total = 0
    for region, rows in picked.items():
        total += produce_all(producer, region_topics[region], [v for _, v in rows],
                             [k for k, _ in rows])
    return total
