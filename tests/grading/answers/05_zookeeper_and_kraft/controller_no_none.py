# cell: a_controller
# verdict: wrong
# misconception: forgets that /controller is absent during an election (raises instead of None)
# loses: test_controller_none_during_election
import json


def current_controller(zk):
    data, _ = zk.get("/controller")
    return json.loads(data)["brokerid"]
