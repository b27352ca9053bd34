# cell: a_live_brokers
# verdict: wrong
# misconception: reads the notebook's own ZooKeeper client instead of the one it is given
# loses: test_live_brokers_zookeeper_only
import kafkalab.lessons.zookeeper as _zkl


def live_broker_ids(client):
    hosts = zk_cluster.zookeeper_connect  # noqa: F821 - the notebook's cluster
    return sorted(int(c) for c in _zkl.connect(hosts).get_children(
        "/brokers/ids"))
