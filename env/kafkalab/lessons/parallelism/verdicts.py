"""Verdicts of lesson 06: what the measured rates allow us to say (pure functions,
unit-tested with synthetic measurements)."""

from __future__ import annotations

RISE = 1.2  # a change smaller than 20% is not told apart from the machine's noise


def busy_cores(cpu_percent: float, cores: int) -> float:
    """psutil's machine CPU % is the average over all cores: how many cores that keeps busy."""
    return cpu_percent / 100 * cores


def producer_verdict(rates: dict[int, float], cpu_percent: float, cores: int) -> str:
    """What producer rates by partition count (best of the producer counts) show."""
    if len(rates) < 2:
        return "Only one partition count was measured: nothing to compare."
    low, high = min(rates), max(rates)
    gain = rates[high] / rates[low]
    busy = busy_cores(cpu_percent, cores)
    head = (f"{low} partition(s): {rates[low]:,.0f} records/s; {high}: {rates[high]:,.0f} "
            f"(x{gain:.2f}), with about {busy:.1f} of {cores} cores busy. ")
    if gain >= RISE:
        return head + "More partitions raised producer throughput here."
    saturated = cpu_percent >= 85
    if gain <= 1 / RISE:
        why = ("the cores were saturated, so the extra work of more partitions (more, smaller "
               "batches and requests for the same records) came straight out of throughput"
               if saturated else
               "the cores were not saturated: spreading the same records over more partitions "
               "made more, smaller batches and requests, which cost more per record")
        return head + f"More partitions lowered producer throughput here: {why}."
    if saturated:
        return head + ("Throughput stayed flat with the CPU saturated: on this machine the "
                       "cores, not the partition count, were the limit.")
    return head + ("Throughput stayed flat without a saturated CPU: neither the partition count "
                   "nor the cores were the limit; the producers' own sending loop and the "
                   "request round trips were.")


def consumer_scaling_verdict(rates: dict[int, float], cpu_percent: dict[int, float],
                             seconds: dict[int, float], cores: int) -> str:
    """What consumer rates by group size (no per-record work) show."""
    if len(rates) < 2:
        return "Only one group size was measured: nothing to compare."
    low = min(rates)
    gain = max(rates.values()) / rates[low]
    busy = max(busy_cores(c, cores) for c in cpu_percent.values())
    head = (f"{low} consumer(s): {rates[low]:,.0f} records/s; best: {max(rates.values()):,.0f} "
            f"(x{gain:.2f}); at most about {busy:.1f} of {cores} cores busy. ")
    if min(seconds.values()) < 1.0:
        return head + ("Some runs lasted under a second: start-up and fetch round trips weigh "
                       "as much as the reading itself, so these rates rank nothing.")
    if gain >= RISE:
        return head + "More consumers read faster here: the work spread over processes."
    if busy >= 0.85 * cores:
        return head + ("The rates stayed flat with every core busy: the cores, shared with "
                       "the brokers, were the limit.")
    if busy <= 1.25:
        return head + ("The rates stayed flat with about one core busy in all: one "
                       "single-threaded stage (most likely the broker serving the fetches, or "
                       "the one Python loop per process) was the limit, not the machine.")
    return head + ("The rates stayed flat with cores to spare: the limit was waiting (fetch "
                   "round trips, fetch.wait.max.ms), not work.")
