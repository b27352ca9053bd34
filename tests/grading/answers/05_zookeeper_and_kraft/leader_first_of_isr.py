# cell: a_leader
# verdict: wrong
# misconception: takes the first broker of the ISR for the leader (the ISR is not ordered by
#   leadership: a replica that rejoins is appended, and an offline partition keeps its last
#   replica in the ISR with leader -1)
# loses: test_partition_leader_zookeeper_only
# may_lose: test_partition_leader_now
#   (on the live cluster the ISR starts with the leader unless a broker was killed and
#   rejoined, which section 2 does only when brokers can be controlled)
def partition_leader(zk, topic, partition):
    state = zkl.read(zk, f"/brokers/topics/{topic}/partitions/{partition}/state")  # noqa: F821
    return state["isr"][0] if state["isr"] else -1
