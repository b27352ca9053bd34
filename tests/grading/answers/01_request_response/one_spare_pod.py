# cell: ex2-capacity
# verdict: wrong
# misconception: adds a spare pod on top of the target (the utilisation target already is the headroom)
# loses: ex2-no-more-than-needed
def slot_capacity(samples):
    busy = [m for m in samples if m["queue"] > 0]
    return (busy[-1]["served"] - busy[0]["served"]) / (busy[-1]["t"] - busy[0]["t"])


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return math.ceil(rate_rps / (slot_rps * utilisation)) + 1
