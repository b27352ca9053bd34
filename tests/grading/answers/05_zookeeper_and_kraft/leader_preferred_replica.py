# cell: a_leader
# verdict: wrong
# misconception: takes the preferred replica (first of the assignment) for the current leader
# loses: test_partition_leader_zookeeper_only
import json


def partition_leader(zk, topic, partition):
    data, _ = zk.get(f"/brokers/topics/{topic}")
    return json.loads(data)["partitions"][str(partition)][0]
