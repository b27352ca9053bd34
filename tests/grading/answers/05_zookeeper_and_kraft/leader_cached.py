# cell: a_leader
# verdict: wrong
# misconception: remembers each partition's leader after the first read (keyed by topic and
#   partition only), so after a failover it still names the old leader: not the leader "now"
# loses: test_partition_leader_zookeeper_only
_leaders = {}


def partition_leader(zk, topic, partition):
    if (topic, partition) not in _leaders:
        state = zkl.read(zk, f"/brokers/topics/{topic}/partitions/{partition}/state")  # noqa: F821
        _leaders[(topic, partition)] = state["leader"]
    return _leaders[(topic, partition)]
