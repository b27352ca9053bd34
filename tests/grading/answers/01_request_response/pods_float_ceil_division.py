# cell: ex2-capacity
# verdict: wrong
# misconception: rounds up with the -(-a // b) idiom, which on float arguments returns a float
#   (5.0), not the int pod count asked for
# loses: ex2-no-more-than-needed
def slot_capacity(samples):
    # intervals between two consecutive samples with requests waiting: the slot never idled
    busy = [(a, b) for a, b in zip(samples, samples[1:]) if a["queue"] > 0 and b["queue"] > 0]
    served = sum(b["served"] - a["served"] for a, b in busy)
    return served / sum(b["t"] - a["t"] for a, b in busy)


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return -(-rate_rps // (slot_rps * utilisation))
