# ruff: noqa
# cell: ex1-router
# verdict: wrong
# misconception: returns how many orders were routed (each counted once) instead of how many
#   records were written: an order two subscriptions select is written twice but counted once
# loses: ex1-routed-all
def matches(pattern, event):
    """True when every field of the EventBridge-style `pattern` matches the event."""
    ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
           ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}

    def entry_ok(entry, value):
        if isinstance(entry, dict) and "numeric" in entry:
            spec = entry["numeric"]
            return isinstance(value, (int, float)) and all(
                ops[spec[i]](value, spec[i + 1]) for i in range(0, len(spec), 2))
        if isinstance(entry, dict) and "prefix" in entry:
            return isinstance(value, str) and value.startswith(entry["prefix"])
        return value == entry

    return all(name in event and any(entry_ok(e, event[name]) for e in entries)
               for name, entries in pattern.items())


def content_router(source, n, routed):
    """Route the n orders of topic `source` to routed[name] of each subscription they match."""
    records = consume(cluster.client_config(), [source], max_messages=n, timeout=60)
    producer = Producer(cluster.producer_config(linger_ms=5))
    routed_orders = 0
    for rec in records:
        event = json.loads(rec.value)
        hit = False
        for name, pattern in SUBSCRIPTIONS.items():
            if matches(pattern, event):
                producer.produce(routed[name], key=rec.key, value=rec.value)
                producer.poll(0)
                hit = True
        routed_orders += hit
    assert producer.flush(30) == 0, "some routed records were not delivered"
    return routed_orders
