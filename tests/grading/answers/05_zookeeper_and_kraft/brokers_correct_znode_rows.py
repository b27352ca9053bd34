# cell: a_live_brokers
# verdict: correct
# misconception: none (lists /brokers/ids with the lesson's znode_rows helper, on the client
#   it is given, and parses the ids from the paths)
def live_broker_ids(zk):
    rows = zkl.znode_rows(zk, "/brokers/ids", depth=1)  # noqa: F821 - the notebook's zkl
    return sorted(int(row["path"].rsplit("/", 1)[1]) for row in rows)
