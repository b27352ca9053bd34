# ruff: noqa
# cell: ex3-worker
# verdict: wrong
# misconception: counts a released record as handled: the loop stops once accepted + released +
#   rejected reaches `expected`, before the released (transient) jobs come back
# loses: ex3-transient-released
# may_lose: ex3-good-accepted,ex3-poison-rejected
#   (when redeliveries are counted before every job was delivered once, some good or poison jobs
#   are never seen; whether that happens depends on how the broker batches the records)
def share_worker(topic, group, process, expected, timeout=15):
    """Process `topic`'s records in share group `group`; accept, release or reject each."""
    consumer = ShareConsumer(ps.share_config(cluster, group))
    consumer.subscribe([topic])
    counts = {"accepted": 0, "released": 0, "rejected": 0}
    deadline = time.monotonic() + timeout
    try:
        while sum(counts.values()) < expected and time.monotonic() < deadline:
            batch = [m for m in consumer.poll(0.5) if not m.error()]
            for msg in batch:
                try:
                    process(msg.value())
                except ps.TransientError:
                    consumer.acknowledge(msg, AcknowledgeType.RELEASE)
                    counts["released"] += 1
                except ps.PoisonError:
                    consumer.acknowledge(msg, AcknowledgeType.REJECT)
                    counts["rejected"] += 1
                else:
                    consumer.acknowledge(msg, AcknowledgeType.ACCEPT)
                    counts["accepted"] += 1
            if batch:
                consumer.commit_sync()
    finally:
        consumer.close()
    return counts
