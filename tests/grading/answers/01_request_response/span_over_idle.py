# cell: ex2-capacity
# verdict: wrong
# misconception: the rate from the first to the last busy sample: counts the idle time between
#   two busy stretches as the slot's work time, so a run with several stretches is underestimated
# loses: ex2-busy-samples
def slot_capacity(samples):
    busy = [m for m in samples if m["queue"] > 0]
    return (busy[-1]["served"] - busy[0]["served"]) / (busy[-1]["t"] - busy[0]["t"])


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return math.ceil(rate_rps / (slot_rps * utilisation))
