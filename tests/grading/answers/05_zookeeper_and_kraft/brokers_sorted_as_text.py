# cell: a_live_brokers
# verdict: wrong
# misconception: sorts the znode names as text before converting them (10 before 9)
# loses: test_live_brokers_zookeeper_only
def live_broker_ids(zk):
    return [int(name) for name in sorted(zk.get_children("/brokers/ids"))]
