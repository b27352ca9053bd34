# cell: a_leader
# verdict: wrong
# misconception: asks Kafka's admin API for the leader instead of reading ZooKeeper
# loses: test_partition_leader_zookeeper_only
def partition_leader(zk, topic, partition):
    return zk_cluster.leader(topic, partition)  # noqa: F821 - the notebook's cluster
