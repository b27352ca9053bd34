# cell: a_controller
# verdict: wrong
# misconception: caches the answer per client ("the controller rarely changes"), so after an
#   election it keeps naming the dead controller (or None) for the rest of the session
# loses: test_controller_zookeeper_only, test_controller_none_during_election
import functools


@functools.lru_cache(maxsize=None)
def current_controller(zk):
    try:
        data, _ = zk.get("/controller")
    except NoNodeError:  # noqa: F821 - imported by the notebook's setup cell
        return None
    return zkl.decode(data)["brokerid"]  # noqa: F821 - the notebook's zkl
