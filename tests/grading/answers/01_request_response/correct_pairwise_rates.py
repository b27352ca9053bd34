# cell: ex2-capacity
# verdict: correct
# misconception: none: sums served over consecutive busy pairs of samples; pods counted up in a loop
def slot_capacity(samples):
    served = elapsed = 0.0
    for a, b in zip(samples, samples[1:]):
        if a["queue"] > 0 and b["queue"] > 0:
            served += b["served"] - a["served"]
            elapsed += b["t"] - a["t"]
    return served / elapsed


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    pods = 1
    while pods * slot_rps * utilisation < rate_rps:
        pods += 1
    return pods
