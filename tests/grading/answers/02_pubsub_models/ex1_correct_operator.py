# ruff: noqa
# cell: ex1-router
# verdict: correct
# misconception: a differently written router: operator module, one pass building a list, produce_all per topic

import operator


def matches(pattern, event):
    """True when every field of the EventBridge-style `pattern` matches the event."""
    compare = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">=": operator.ge,
               ">": operator.gt}
    for field, entries in pattern.items():
        if field not in event:
            return False
        value = event[field]
        ok = False
        for entry in entries:
            if isinstance(entry, dict) and "numeric" in entry:
                spec = entry["numeric"]
                pairs = zip(spec[::2], spec[1::2])
                is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
                ok = is_number and all(compare[op](value, ref) for op, ref in pairs)
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
    out = {name: [] for name in SUBSCRIPTIONS}
    for rec in consume(cluster.client_config(), [source], max_messages=n, timeout=60):
        order = json.loads(rec.value)
        for name, pattern in SUBSCRIPTIONS.items():
            if matches(pattern, order):
                out[name].append(rec)
    producer = Producer(cluster.producer_config())
    for name, recs in out.items():
        produce_all(producer, routed[name], [r.value for r in recs], [r.key for r in recs])
    return sum(len(recs) for recs in out.values())
