# cell: a_live_brokers
# verdict: correct
# misconception: none (lists, converts, sorts in place)
def live_broker_ids(zk):
    found = []
    for name in zk.get_children("/brokers/ids"):
        if zk.exists(f"/brokers/ids/{name}") is not None:
            found.append(int(name))
    found.sort()
    return found
