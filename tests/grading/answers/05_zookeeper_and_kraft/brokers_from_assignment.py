# cell: a_live_brokers
# verdict: wrong
# misconception: takes the brokers that hold replicas (topic assignments) for the live ones
# loses: test_live_brokers_zookeeper_only
import json


def live_broker_ids(zk):
    ids = set()
    for topic in zk.get_children("/brokers/topics"):
        data, _ = zk.get(f"/brokers/topics/{topic}")
        for replicas in json.loads(data)["partitions"].values():
            ids.update(replicas)
    return sorted(ids)
