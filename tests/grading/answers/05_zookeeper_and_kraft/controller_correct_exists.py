# cell: a_controller
# verdict: correct
# misconception: none (checks exists() first, parses with json; a race between the two calls
#   is caught too)
import json

from kazoo.exceptions import NoNodeError as _Gone


def current_controller(zk):
    if zk.exists("/controller") is None:
        return None
    try:
        raw, _stat = zk.get("/controller")
    except _Gone:
        return None
    return int(json.loads(raw.decode())["brokerid"])
