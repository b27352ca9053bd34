# cell: a_leader
# verdict: wrong
# misconception: turns "no leader" (-1) into None, though the task asks for -1
# loses: test_partition_leader_zookeeper_only
import json


def partition_leader(zk, topic, partition):
    data, _ = zk.get(f"/brokers/topics/{topic}/partitions/{partition}/state")
    leader = json.loads(data)["leader"]
    return None if leader == -1 else leader
