# cell: ex2-capacity
# verdict: wrong
# misconception: takes the samples to be one second apart and divides by their count, ignoring
#   their timestamps `t` (the service is sampled every 0.25 s)
# loses: ex2-busy-samples,ex2-measured-live
def slot_capacity(samples):
    busy = [m for m in samples if m["queue"] > 0]
    return (busy[-1]["served"] - busy[0]["served"]) / (len(busy) - 1)


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return math.ceil(rate_rps / (slot_rps * utilisation))
