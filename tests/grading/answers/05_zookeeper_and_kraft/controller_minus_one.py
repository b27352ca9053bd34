# cell: a_controller
# verdict: wrong
# misconception: answers -1 while there is no controller, copying the partition state's
#   "-1 means no leader" convention, though the task asks for None
# loses: test_controller_none_during_election
import json


def current_controller(zk):
    if zk.exists("/controller") is None:
        return -1
    data, _ = zk.get("/controller")
    return json.loads(data)["brokerid"]
