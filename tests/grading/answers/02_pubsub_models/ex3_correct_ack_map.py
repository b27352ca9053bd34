# ruff: noqa
# cell: ex3-worker
# verdict: correct
# misconception: a differently written worker: an outcome table, a with-block, commit_async then a final commit

def share_worker(topic, group, process, expected, timeout=15):
    """Process `topic`'s records in share group `group`; accept, release or reject each."""
    outcome = {ps.TransientError: ("released", AcknowledgeType.RELEASE),
               ps.PoisonError: ("rejected", AcknowledgeType.REJECT)}
    counts = dict.fromkeys(("accepted", "released", "rejected"), 0)
    stop_at = time.monotonic() + timeout
    with ShareConsumer(ps.share_config(cluster, group)) as consumer:
        consumer.subscribe([topic])
        while time.monotonic() < stop_at and counts["accepted"] + counts["rejected"] < expected:
            for msg in consumer.poll(0.5):
                if msg.error() is not None:
                    continue
                key, kind = "accepted", AcknowledgeType.ACCEPT
                try:
                    process(msg.value())
                except (ps.TransientError, ps.PoisonError) as err:
                    key, kind = outcome[type(err)]
                consumer.acknowledge(msg, kind)
                counts[key] += 1
            consumer.commit_async()
        consumer.commit_sync()
    return counts
