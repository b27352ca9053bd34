# cell: a_controller
# verdict: wrong
# misconception: returns the broker id as the text found in the znode, not as an int
# loses: test_controller_now, test_controller_zookeeper_only, test_controller_none_during_election
import re

from kazoo.exceptions import NoNodeError as _Missing


def current_controller(zk):
    try:
        data, _ = zk.get("/controller")
    except _Missing:
        return None
    return re.search(r'"brokerid":\s*(\d+)', data.decode()).group(1)
