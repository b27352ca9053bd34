# ruff: noqa
# cell: ex3-worker
# verdict: wrong
# misconception: releases every failed record, poison ones too, so they come back until the delivery-count limit
# loses: ex3-transient-released,ex3-poison-rejected
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
                try:
                    process(msg.value())
                except (ps.TransientError, ps.PoisonError):
                    consumer.acknowledge(msg, AcknowledgeType.RELEASE)
                    counts["released"] += 1
                else:
                    consumer.acknowledge(msg, AcknowledgeType.ACCEPT)
                    counts["accepted"] += 1
            if batch:
                consumer.commit_sync()
    finally:
        consumer.close()
    return counts
