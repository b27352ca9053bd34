# cell: a_live_brokers
# verdict: wrong
# misconception: caches the broker list per client, so a broker that dies (its ephemeral
#   znode vanishes) or joins later is not seen: not the brokers registered "right now"
# loses: test_live_brokers_zookeeper_only
from functools import cache


@cache
def live_broker_ids(zk):
    return sorted(int(child) for child in zk.get_children("/brokers/ids"))
