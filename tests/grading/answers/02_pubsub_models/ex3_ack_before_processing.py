# ruff: noqa
# cell: ex3-worker
# verdict: wrong
# misconception: accepts each record before processing it: a transient failure is never retried
# loses: ex3-transient-released
def share_worker(topic, group, process, expected, timeout=15):
    """Process `topic`'s records in share group `group`; accept, release or reject each."""
    consumer = ShareConsumer(ps.share_config(cluster, group))
    consumer.subscribe([topic])
    counts = {"accepted": 0, "released": 0, "rejected": 0}
    deadline = time.monotonic() + timeout
    try:
        while counts["accepted"] + counts["rejected"] < expected and time.monotonic() < deadline:
            batch = [m for m in consumer.poll(0.5) if not m.error()]
            for msg in batch:
                consumer.acknowledge(msg, AcknowledgeType.ACCEPT)
                try:
                    process(msg.value())
                except ps.TransientError:
                    counts["accepted"] += 1
                except ps.PoisonError:
                    counts["rejected"] += 1
                else:
                    counts["accepted"] += 1
            if batch:
                consumer.commit_sync()
    finally:
        consumer.close()
    return counts
