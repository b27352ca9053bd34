# cell: a_live_brokers
# verdict: wrong
# misconception: returns the znode names (strings) instead of broker ids
# loses: test_live_brokers_now, test_live_brokers_zookeeper_only
def live_broker_ids(zk):
    return sorted(zk.get_children("/brokers/ids"))
