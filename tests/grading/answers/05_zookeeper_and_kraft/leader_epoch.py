# cell: a_leader
# verdict: wrong
# misconception: confuses the partition's leader_epoch (how many times its leader changed)
#   with the leader's broker id
# loses: test_partition_leader_zookeeper_only
# may_lose: test_partition_leader_now
#   (a live partition's leader epoch is a small number that can equal its leader's id)
import json


def partition_leader(zk, topic, partition):
    data, _ = zk.get(f"/brokers/topics/{topic}/partitions/{partition}/state")
    return int(json.loads(data)["leader_epoch"])
