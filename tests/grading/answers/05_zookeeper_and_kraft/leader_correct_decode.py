# cell: a_leader
# verdict: correct
# misconception: none (decodes the state znode by hand)
import json as _json


def partition_leader(zk, topic, partition):
    path = "/".join(["/brokers/topics", topic, "partitions", str(partition), "state"])
    raw, _ = zk.get(path)
    state = _json.loads(raw.decode("utf-8"))
    return int(state["leader"])
