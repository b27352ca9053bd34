# ruff: noqa
# cell: ex1-router
# verdict: wrong
# misconception: a pattern field the event does not have is skipped (nothing to compare), so it
#   does not stop the event from matching
# loses: ex1-matches
def matches(pattern, event):
    """True when every field of the EventBridge-style `pattern` matches the event."""
    ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
           ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}
    for field, entries in pattern.items():
        if field not in event:
            continue
        value = event[field]
        ok = False
        for entry in entries:
            if isinstance(entry, dict) and "numeric" in entry:
                spec = entry["numeric"]
                ok = isinstance(value, (int, float)) and all(
                    ops[spec[i]](value, spec[i + 1]) for i in range(0, len(spec), 2))
            elif isinstance(entry, dict) and "prefix" in entry:
                ok = isinstance(value, str) and value.startswith(entry["prefix"])
            else:
                ok = value == entry
            if ok:
                break
        if not ok:
            return False
    return True


def content_router(source, n, routed):
    """Route the n orders of topic `source` to routed[name] of each subscription they match."""
    records = consume(cluster.client_config(), [source], max_messages=n, timeout=60)
    producer = Producer(cluster.producer_config(linger_ms=5))
    written = 0
    for rec in records:
        event = json.loads(rec.value)
        for name, pattern in SUBSCRIPTIONS.items():
            if matches(pattern, event):
                producer.produce(routed[name], key=rec.key, value=rec.value)
                producer.poll(0)
                written += 1
    assert producer.flush(30) == 0, "some routed records were not delivered"
    return written
