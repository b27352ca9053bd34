"""Helpers for notebook 07's exercises and their graders: read a topic to its end, replay a
known order stream, check where every order went, and exercise 1's restart run (the function
in a fresh process SIGKILLed at a crash point, then in another: see ``fraudrun``)."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...clients import Record, end_offsets, produce, read_to_end, to_record
from ...clients.crashpoints import Outcome
from .fraudrun import committed_by_partition, run_in_process

if TYPE_CHECKING:
    from ...cluster import Cluster

# The clients a graded cell runs in the kernel write no librdkafka log lines: nbgrader scores
# any stderr output of a graded cell as a failure, and a harmless warning such as "Failed to
# acquire idempotence PID ... retrying" would cost a correct answer its points.
QUIET = {"log_level": 0}


def read_all(config: dict[str, Any], topics: list[str], timeout: float = 20.0) -> list[Record]:
    """Every record the topics hold now (each partition read from its start to its current
    end; returns at once for empty topics). No consumer group is joined."""
    return [to_record(m) for m in read_to_end({**config, **QUIET}, topics, timeout)]


def order_stream(n: int, seed: int, duplicate_at: int | None = None) -> list[dict[str, Any]]:
    """A known stream of order events with varied totals; optionally the order at index
    ``duplicate_at // 2`` is sent again at position ``duplicate_at`` (at-least-once upstream)."""
    orders = [{"order_id": f"o-{seed}-{i:03d}", "type": "order_placed",
               "total": round(5 + ((i * 37 + seed * 11) % 400) * 1.25, 2)} for i in range(n)]
    if duplicate_at is not None:
        orders.insert(duplicate_at, dict(orders[duplicate_at // 2]))
    return orders


def replay(config: dict[str, Any], topic: str, orders: list[dict[str, Any]]) -> None:
    produce({**config, "enable.idempotence": True, **QUIET}, topic,
            [json.dumps(o) for o in orders], keys=[o["order_id"] for o in orders])


# A last call, once every record is handled: asked for a few more records than the topic
# holds, with a short timeout, it must return 0 after about that timeout; it is SIGKILLed after
# IDLE_TIMEOUT_S + IDLE_GRACE_S (the process's start, read-back and close have that long).
IDLE_TIMEOUT_S = 3.0
IDLE_GRACE_S = 20.0


def routing(config: dict[str, Any], passed: str, review: str) -> dict[str, Counter]:
    """How many times each order id reached each topic."""
    return {name: Counter(r.key for r in read_all(config, [name]))
            for name in (passed, review)}


def routed_values(config: dict[str, Any], passed: str, review: str) -> dict[str, set[str]]:
    """Every value each order id was routed with, in either topic."""
    out: dict[str, set[str]] = {}
    for r in read_all(config, [passed, review]):
        out.setdefault(str(r.key), set()).add(str(r.value))
    return out


def expected_routing(orders: list[dict[str, Any]], limit: float) -> tuple[set[str], set[str]]:
    passed = {o["order_id"] for o in orders if o["total"] <= limit}
    review = {o["order_id"] for o in orders if o["total"] > limit}
    return passed, review


@dataclass
class RestartRun:
    """One graded run of exercise 1: a known stream, a first call in a fresh process that is
    SIGKILLed at a crash point (or returns), a second call in another fresh process, and where
    every order went."""

    stream: list[dict[str, Any]]
    first: Outcome
    second: Outcome
    stop_after: int
    committed: int  # records the group had committed when the first process ended
    got_ok: Counter
    got_review: Counter
    want_ok: set[str]
    want_review: set[str]
    lag: dict[int, int] = field(default_factory=dict)  # after the second call: end - committed
    changed: int = 0  # orders routed with a value other than their input record's
    idle: Outcome | None = None  # the last call, with nothing left to handle (if made)

    @property
    def expected_second(self) -> int:
        return len(self.stream) - self.committed

    def problems(self) -> list[str]:
        """What went wrong, one sentence each (empty: nothing)."""
        out = []
        for label, call in (("first", self.first), ("second", self.second)):
            if call.error:
                lines = [x for x in call.error.strip().splitlines() if x.strip()]
                out.append(f"the {label} call failed in its own process: "
                           + " / ".join(lines[-2:])[-400:])
        if out:
            return out
        if self.first.returned is not None and self.first.returned != self.stop_after:
            out.append(f"the first call should handle max_messages={self.stop_after} records, "
                       f"it returned {self.first.returned}")
        if self.second.returned != self.expected_second:
            out.append(f"after the restart {self.expected_second} records were left to handle "
                       f"(those not committed), the second call returned {self.second.returned}")
        routed = set(self.got_ok) | set(self.got_review)
        lost = (self.want_ok | self.want_review) - routed
        if lost:
            out.append(f"{len(lost)} order(s) reached neither passed nor review: their offset "
                       "was committed although their output never reached Kafka")
        if set(self.got_ok) - self.want_ok or set(self.got_review) - self.want_review:
            out.append("an order went to the wrong topic (review is for totals above limit)")
        twice = [k for c in (self.got_ok, self.got_review) for k, v in c.items() if v > 1]
        if twice or set(self.got_ok) & set(self.got_review):
            out.append(f"{len(twice)} order(s) were routed more than once: the process that "
                       "routed them again did not know they were already routed")
        if self.changed:
            out.append(f"{self.changed} order(s) were routed with a value other than the input "
                       "record's (the same key and the same value are routed)")
        behind = {p: n for p, n in self.lag.items() if n}
        if behind:
            out.append(f"after the second call the group's committed offsets leave "
                       f"{sum(behind.values())} record(s) of partition(s) {sorted(behind)} "
                       "before the end: a committed offset is the next offset to read")
        if self.idle is not None:
            if self.idle.error.startswith("still running"):
                out.append(f"a call asked for more records than the topic held, with "
                           f"timeout={IDLE_TIMEOUT_S:g}, had not returned "
                           f"{IDLE_TIMEOUT_S + IDLE_GRACE_S:g} s later: stop at timeout")
            elif self.idle.error:
                out.append("a last call, with every record already handled, failed: "
                           + self.idle.error.strip().splitlines()[-1][-300:])
            elif self.idle.returned != 0:
                out.append(f"a last call, with every record already handled, should handle "
                           f"none, it returned {self.idle.returned}")
        return out


def restart_run(cluster: Cluster, function: Callable[..., Any], n: int, seed: int,
                limit: float, stop_after: int, crash: tuple[str, int] | None = None,
                duplicate_at: int | None = None, partitions: int = 3,
                folder: Path | None = None, idle_call: bool = False) -> RestartRun:
    """Replay a known stream of ``n`` orders into a fresh topic; run ``function`` in a fresh
    process with ``max_messages=stop_after``, SIGKILLed at ``crash`` (see ``fraudrun``); run it
    again in another fresh process for the records left after the group's committed offsets;
    read where every order went and where the group's committed offsets are. With
    ``idle_call``, call it a last time for a few records more than are left (none), with a short
    timeout (:data:`IDLE_TIMEOUT_S`)."""
    cfg = cluster.client_config()
    src, ok, rev = (cluster.create_topic(prefix=f"fraud-{k}", partitions=partitions)
                    for k in ("in", "ok", "review"))
    stream = order_stream(n, seed, duplicate_at)
    replay(cfg, src, stream)
    group = f"fraud-{uuid.uuid4().hex[:8]}"
    folder = folder or Path(tempfile.gettempdir()) / "kafkalab-fraud-check"
    first = run_in_process(function, [cfg, group, src, ok, rev, limit, stop_after, 15.0],
                           folder, crash)
    committed = sum(committed_by_partition(cfg, group, src).values())
    second = run_in_process(function, [cfg, group, src, ok, rev, limit,
                                       len(stream) - committed, 15.0], folder)
    ends = end_offsets({**cfg, **QUIET}, src)
    after = committed_by_partition(cfg, group, src)
    lag = {p: max(0, end - after.get(p, 0)) for p, end in ends.items()}
    idle = None
    if idle_call and not second.error:
        idle = run_in_process(function, [cfg, group, src, ok, rev, limit, 5, IDLE_TIMEOUT_S],
                              folder, timeout=IDLE_TIMEOUT_S + IDLE_GRACE_S)
    got = routing(cfg, ok, rev)
    values = routed_values(cfg, ok, rev)
    sent = {o["order_id"]: json.dumps(o) for o in stream}
    changed = sum(1 for k, vs in values.items() if k in sent and vs != {sent[k]})
    want_ok, want_review = expected_routing(stream, limit)
    return RestartRun(stream, first, second, stop_after, committed, got[ok], got[rev],
                      want_ok, want_review, lag, changed, idle)
