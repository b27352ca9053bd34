# cell: a_live_brokers
# verdict: correct
# misconception: none (counts only ephemeral registrations, the ones a live broker session
#   holds, as the lesson's section 1 explains; on a real cluster every child of /brokers/ids
#   is ephemeral, so the filter drops nothing)
def live_broker_ids(zk):
    live = []
    for name in zk.get_children("/brokers/ids"):
        stat = zk.exists(f"/brokers/ids/{name}")
        if stat is not None and stat.ephemeralOwner != 0:
            live.append(int(name))
    return sorted(live)
