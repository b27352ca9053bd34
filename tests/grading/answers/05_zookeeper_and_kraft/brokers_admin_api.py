# cell: a_live_brokers
# verdict: wrong
# misconception: asks Kafka's admin API for the brokers instead of reading ZooKeeper
# loses: test_live_brokers_zookeeper_only
def live_broker_ids(zk):
    return sorted(zk_cluster.describe().brokers)  # noqa: F821 - the notebook's cluster
