# cell: ex1_answer
# verdict: correct
# misconception: none: delivery reports served by poll() until every message is acknowledged, a deadline instead of flush()
def produce_keyed(topic, n):
    acked = {}
    producer = Producer(cluster.producer_config())
    for i in range(n):
        key = "user-%d" % i
        producer.produce(topic, value="event-%d" % i, key=key.encode(),
                         on_delivery=lambda err, m: err or acked.update(
                             {m.key().decode(): (m.partition(), m.offset())}))
    deadline = time.monotonic() + 30
    while len(acked) < n and time.monotonic() < deadline:
        producer.poll(0.1)
    return dict(acked)
