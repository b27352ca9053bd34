# cell: ex2-capacity
# verdict: wrong
# misconception: the capacity is known by construction (1000 / SERVICE_MS), so nothing needs measuring
# loses: ex2-busy-samples,ex2-measured-live
def slot_capacity(samples):
    return float(SLOT_RPS)


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return math.ceil(rate_rps / (slot_rps * utilisation))
