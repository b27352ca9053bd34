# ruff: noqa
# cell: ex3-worker
# verdict: wrong
# misconception: loops until `expected` records are settled and ignores `timeout`: a worker given
#   fewer records than expected (or whose jobs all end up archived) never returns
# loses: ex3-good-accepted
def share_worker(topic, group, process, expected, timeout=15):
    """Process `topic`'s records in share group `group`; accept, release or reject each."""
    consumer = ShareConsumer(ps.share_config(cluster, group))
    consumer.subscribe([topic])
    counts = {"accepted": 0, "released": 0, "rejected": 0}
    try:
        while counts["accepted"] + counts["rejected"] < expected:
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
