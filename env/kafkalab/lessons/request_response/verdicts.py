"""Text that depends on a measurement, one function per claim (unit-tested per branch): the
exercises' self-check, whether experiment 2's picture came back once the node was full, what
the Kafka front door's "0 dropped" means, and what the buffer-limit experiments showed."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .records import LoadRun


def check_capacity(slot_capacity: Callable[[list[dict[str, Any]]], Any],
                   pods_needed: Callable[..., Any], samples: list[dict[str, Any]]) -> str:
    """Exercise 2's self-check: the types and ranges the graded tests need, one sentence each
    (AssertionError), else "ok" with what the functions returned."""
    got = slot_capacity(samples)
    assert isinstance(got, float | int) and not isinstance(got, bool), \
        f"slot_capacity should return a number (float), not {type(got).__name__}."
    assert math.isfinite(got) and got > 0, f"slot_capacity returned {got}: not a rate > 0."
    pods = pods_needed(10 * got, got)
    assert isinstance(pods, int) and not isinstance(pods, bool), \
        f"pods_needed should return an int, not {type(pods).__name__}."
    assert pods >= 1, f"pods_needed(10 x the slot rate, the slot rate) returned {pods}."
    return f"ok: slot_capacity -> {got:.2f} req/s; pods_needed(10 x that) -> {pods}"


def full_since(run: LoadRun, node_cpus: int) -> float | None:
    """When (s into the run) the autoscaler first had the whole node ready, or None."""
    for s in run.samples:
        if s.get("slots", 0) >= node_cpus:
            return float(s["t"])
    return None


def after_full_verdict(run: LoadRun, node_cpus: int) -> str:
    """Did experiment 2's picture (timeouts, drops) come back once the node was full?"""
    t_full = full_since(run, node_cpus)
    if t_full is None:
        return (f"The autoscaler never had all {node_cpus} cpus of the node ready in this run, "
                "so the run says nothing about what happens past the node's limit.")
    late = [r for r in run.requests if r.sent >= t_full and r.outcome in ("timeout", "dropped")]
    before = [r for r in run.requests if r.sent < t_full and r.outcome in ("timeout", "dropped")]
    if late:
        return (f"The node was full from {t_full:.1f} s; after that {len(late)} requests timed "
                "out or were dropped: experiment 2's picture came back, at a higher rate."
                + (f" ({len(before)} were lost earlier, while pods were starting.)"
                   if before else ""))
    return (f"The node was full from {t_full:.1f} s, and no request sent after that timed out "
            "or was dropped in this run: the peak did not exceed the full node for long "
            f"enough to fill the queue ({len(before)} were lost earlier, while pods started).")


def front_door_verdict(kafka_counts: dict[str, int], hpa_lost: int) -> str:
    """What the Kafka run's front-door counts mean next to the HPA run's losses."""
    lost = sum(kafka_counts.get(k, 0) for k in ("dropped", "timeout", "error"))
    caveat = ("Part of this is by construction: the front door runs in the service's own "
              "process, outside the node's NODE_CPUS budget that caps the pods, and appending "
              "a record costs far less than serving it.")
    if lost == 0 and hpa_lost > 0:
        return (f"The front door accepted every request while the HPA run lost {hpa_lost}: the "
                f"topic absorbed the burst. {caveat}")
    if lost == 0:
        return ("Neither run lost a request here: the burst did not exceed what the pods "
                f"absorbed. {caveat}")
    return (f"The front door itself lost {lost} requests (dropped, timed out or failed), the "
            f"HPA run {hpa_lost}: a front door has its limits too (the producer's queue, the "
            f"broker's speed, this machine's CPU). {caveat}")


def buffer_verdict(accepted: int, limit: int) -> str:
    """The BufferError experiment: how many records the producer's queue took."""
    if accepted >= limit:
        return (f"The producer took {accepted} records without a BufferError: its queue "
                f"(queue.buffering.max.messages={limit}) drained faster than we filled it.")
    return (f"After {accepted} records the producer raised BufferError: its local queue "
            f"(queue.buffering.max.messages={limit}) was full. The caller must wait (poll) or "
            "give up: a buffer in front of Kafka is finite too.")


def timeout_verdict(errors: list[str], sent: int, timeout_ms: int) -> str:
    """The message.timeout.ms experiment: what happened to records sent to a frozen broker."""
    if not errors:
        return (f"All {sent} records were delivered although the broker was frozen: it came "
                f"back within message.timeout.ms={timeout_ms}.")
    kinds = sorted(set(errors))
    return (f"{len(errors)} of {sent} records failed with {', '.join(kinds)}: the broker did "
            f"not answer within message.timeout.ms={timeout_ms}, so the producer gave them up "
            "(the default is 300000 ms, 5 minutes). Kafka buffers only while it is reachable.")
