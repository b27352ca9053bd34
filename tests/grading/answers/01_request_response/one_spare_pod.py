# cell: ex2-capacity
# verdict: wrong
# misconception: adds a spare pod on top of the target (the utilisation target already is the headroom)
# loses: ex2-no-more-than-needed
def slot_capacity(samples):
    # intervals between two consecutive samples with requests waiting: the slot never idled
    busy = [(a, b) for a, b in zip(samples, samples[1:]) if a["queue"] > 0 and b["queue"] > 0]
    served = sum(b["served"] - a["served"] for a, b in busy)
    return served / sum(b["t"] - a["t"] for a, b in busy)


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return math.ceil(rate_rps / (slot_rps * utilisation)) + 1
