# cell: a_live_brokers
# verdict: wrong
# misconception: reads the notebook's own ZooKeeper client instead of the one it is given
# loses: test_live_brokers_zookeeper_only
import kafkalab.lessons.zookeeper as _zkl


def live_broker_ids(client):
    return sorted(int(c) for c in _zkl.connect(zk_cluster.zookeeper_connect).get_children(
        "/brokers/ids"))
