"""Crashes: a worker SIGKILLed mid-stream and a second one resuming (:func:`crash_and_resume`),
and a pool of your workers surviving the loss of one (:func:`pool_with_crash`)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...clients import wait_until
from ...cluster import Cluster
from .offsets import at_end, committed, end_offsets
from .workers import Worker, start_worker


def _wait(cond: Callable[[], bool], timeout: float, what: str,
          workers: list[Worker] | None = None) -> None:
    """Wait until ``cond()``; fail at once when every one of ``workers`` has exited."""
    def done() -> bool:
        if cond():
            return True
        if workers and all(not w.child.running for w in workers):
            raise RuntimeError(f"every worker exited before {what}; first error output:\n"
                               + next((w.error()[-1500:] for w in workers if w.error()), ""))
        return False

    wait_until(done, timeout, what, interval=0.1)


@dataclass
class CrashResult:
    mode: str
    messages: int
    processed_before_kill: int
    committed_at_kill: int  # sum over partitions of the group's committed offsets
    redelivered: int  # processed twice in total
    missing: int  # never processed
    resumed_after: float  # seconds from the kill to the next worker's first message


def crash_and_resume(cluster: Cluster, topic: str, group: str, folder: Path, mode: str,
                     kill_after: int, batch: int = 20, delay: float = 0.01,
                     timeout: float = 90.0) -> CrashResult:
    """One worker processes ``topic`` (which must hold records numbered 0..n-1 and nothing
    else) until ``kill_after`` are done, is SIGKILLed, and a second worker of the same group
    takes over; wait until the group has committed everything, then count."""
    ends = end_offsets(cluster, topic)
    total = sum(ends.values())
    first = start_worker(cluster, group, topic, folder, f"{mode}-1", mode, batch, delay)
    _wait(lambda: len(first.processed()) >= kill_after, timeout, "progress", [first])
    first.kill()
    killed_at = time.monotonic()
    before = len(first.processed())
    at_kill = committed(cluster, group, topic)
    second = start_worker(cluster, group, topic, folder, f"{mode}-2", mode, batch, delay)
    _wait(lambda: len(second.processed()) > 0 or at_end(cluster, group, topic, ends),
          timeout, "second worker starting", [second])
    resumed = time.monotonic() - killed_at
    _wait(lambda: at_end(cluster, group, topic, ends), timeout, "commit of every record",
          [second])
    second.stop()
    seen = Counter(v for w in (first, second) for _p, _o, v in w.processed())
    return CrashResult(mode, total, before, sum(max(o, 0) for o in at_kill.values()),
                       sum(c - 1 for c in seen.values()), total - len(seen), resumed)


@dataclass
class PoolResult:
    messages: int
    per_worker: dict[str, int]  # worker name -> records processed
    killed: str
    missing: int
    duplicates: int
    committed_to_end: bool  # the group's committed offsets reached every partition's end
    errors: str


def pool_with_crash(cluster: Cluster, function: Callable[..., Any], topic: str, group: str,
                    folder: Path, workers: int = 3, kill_after: int = 100, delay: float = 0.005,
                    timeout: float = 90.0) -> PoolResult:
    """Run ``function(config, topic, process, should_stop)`` in ``workers`` processes of one
    group, SIGKILL the busiest one once ``kill_after`` records are processed, and let the
    others finish; then count what was never processed and what was processed twice."""
    ends = end_offsets(cluster, topic)
    total = sum(ends.values())
    pool = {f"w{i + 1}": start_worker(cluster, group, topic, folder, f"w{i + 1}",
                                      function=function, delay=delay) for i in range(workers)}

    def seen() -> Counter:
        return Counter(v for w in pool.values() for _p, _o, v in w.processed())

    _wait(lambda: sum(seen().values()) >= kill_after, timeout, "progress", list(pool.values()))
    victim = max(pool, key=lambda n: len(pool[n].processed()))
    pool[victim].kill()
    alive = [w for n, w in pool.items() if n != victim]
    try:
        _wait(lambda: len(seen()) >= total, timeout, "processing of every record", alive)
        _wait(lambda: at_end(cluster, group, topic, ends), 15, "final commits")
    except (TimeoutError, RuntimeError):
        pass  # reported through the counts below
    done = at_end(cluster, group, topic, ends)
    for w in alive:
        w.stop()
    counts = seen()
    return PoolResult(total, {n: len(w.processed()) for n, w in pool.items()}, victim,
                      total - len(counts), sum(c - 1 for c in counts.values()), done,
                      "".join(w.error()[-800:] for w in pool.values()))
