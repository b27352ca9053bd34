# cell: ex2-capacity
# verdict: wrong
# misconception: averages over the whole run, idle stretches included, so the slot's capacity is underestimated
# loses: ex2-busy-samples
def slot_capacity(samples):
    return (samples[-1]["served"] - samples[0]["served"]) / (samples[-1]["t"] - samples[0]["t"])


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return math.ceil(rate_rps / (slot_rps * utilisation))
