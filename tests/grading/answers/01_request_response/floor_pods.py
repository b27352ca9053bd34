# cell: ex2-capacity
# verdict: wrong
# misconception: rounds the pod count down (floor), leaving the pods busier than the target
# loses: ex2-enough-pods
def slot_capacity(samples):
    busy = [m for m in samples if m["queue"] > 0]
    return (busy[-1]["served"] - busy[0]["served"]) / (busy[-1]["t"] - busy[0]["t"])


def pods_needed(rate_rps, slot_rps, utilisation=0.7):
    return max(1, int(rate_rps // (slot_rps * utilisation)))
