# cell: a_controller
# verdict: wrong
# misconception: believes the controller is the registered broker with the lowest id
#   (bully-style election) instead of reading who won the race for /controller
# loses: test_controller_zookeeper_only, test_controller_none_during_election
# may_lose: test_controller_now
#   (on the live cluster broker 1 may well be the controller at that point)
def current_controller(zk):
    ids = [int(name) for name in zk.get_children("/brokers/ids")]
    return min(ids) if ids else None
