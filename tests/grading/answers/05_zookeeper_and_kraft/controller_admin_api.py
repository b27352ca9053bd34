# cell: a_controller
# verdict: wrong
# misconception: asks Kafka's admin API for the controller instead of reading ZooKeeper
# loses: test_controller_zookeeper_only, test_controller_none_during_election
def current_controller(zk):
    return zk_cluster.controller()  # noqa: F821 - the notebook's cluster
