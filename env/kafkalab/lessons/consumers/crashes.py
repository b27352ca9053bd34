"""Crashes: a worker SIGKILLed mid-stream and a second one resuming (:func:`crash_and_resume`),
and a pool of your workers surviving the loss of one (:func:`pool_with_crash`)."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...clients import wait_until
from ...cluster import Cluster
from .offsets import at_end, committed, end_offsets
from .workers import Worker, start_worker

# How long a pool may process nothing before the wait for every record ends: a crashed static
# member's partitions move after its 6 s session timeout, and the group rebalances within a
# few seconds more.
STALL_S = 15.0


def _wait(cond: Callable[[], bool], timeout: float, what: str,
          workers: list[Worker] | None = None, progress: Callable[[], int] | None = None,
          stall: float = STALL_S) -> None:
    """Wait until ``cond()``; fail at once when every one of ``workers`` has exited, and (given
    ``progress``, a count that grows while the work goes on) when it has not grown for
    ``stall`` seconds: records a wrong answer lost are never processed, and waiting the whole
    ``timeout`` for them would only make the verdict slower."""
    last = [progress() if progress else 0, time.monotonic()]

    def done() -> bool:
        if cond():
            return True
        if workers and all(not w.child.running for w in workers):
            raise RuntimeError(f"every worker exited before {what}; first error output:\n"
                               + next((w.error()[-1500:] for w in workers if w.error()), ""))
        if progress is not None:
            now, count = time.monotonic(), progress()
            if count != last[0]:
                last[:] = [count, now]
            elif now - last[1] > stall:
                raise TimeoutError(f"no progress for {stall:g} s waiting for {what}")
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
    killed: str  # the worker that crashed ("" if none reached the crash point)
    missing: int
    duplicates: int
    committed_to_end: bool  # the group's committed offsets reached every partition's end
    errors: str
    crash: dict[str, int] = field(default_factory=dict)  # partition, offset, committed at crash
    stuck: list[str] = field(default_factory=list)  # workers killed: not returned when asked

    def crash_story(self) -> str:
        """What the group had committed when the worker crashed, in one sentence."""
        if not self.crash:
            return "no worker reached the crash point"
        c = self.crash
        if c["committed"] > c["offset"]:
            return (f"{self.killed} crashed while processing offset {c['offset']} of partition "
                    f"{c['partition']}, when the group had already committed offset "
                    f"{c['committed']}: records from {c['offset']} to {c['committed'] - 1} "
                    "counted as done before they were processed")
        return (f"{self.killed} crashed while processing offset {c['offset']} of partition "
                f"{c['partition']}; the group's committed offset was "
                f"{c['committed'] if c['committed'] >= 0 else 'none yet'}, not past it")


def pool_with_crash(cluster: Cluster, function: Callable[..., Any], topic: str, group: str,
                    folder: Path, workers: int = 3, crash_after: int = 40, delay: float = 0.005,
                    timeout: float = 90.0, crash_wait: float = 2.0,
                    commit_interval_ms: int = 100, stop_wait: float = 10.0) -> PoolResult:
    """Run ``function(config, topic, process, should_stop)`` in ``workers`` processes of one
    group (``auto.commit.interval.ms`` shortened to ``commit_interval_ms`` in their config, and
    each its own ``group.instance.id``: static members, so a worker that closes does not make
    the group rebalance under the others' last commits) and crash one on purpose: the first
    worker to have processed ``crash_after`` records SIGKILLs itself in the middle of its next
    record, once the group's committed offset has passed that record (auto-commit, or a commit
    before processing, does that within a few intervals) or after ``crash_wait`` s. The others
    finish; then all of them are asked to stop at once (``should_stop()`` turns True) and given
    ``stop_wait`` s together to return (those still running are SIGKILLed: ``stuck``). Then
    count what was never processed and what was processed twice, and whether the committed
    offsets reached the end once the workers had stopped."""
    ends = end_offsets(cluster, topic)
    total = sum(ends.values())
    folder.mkdir(parents=True, exist_ok=True)
    token = folder / "crash.json"
    token.unlink(missing_ok=True)
    crash = {"after": crash_after, "token": str(token), "wait": crash_wait}
    pool = {f"w{i + 1}": start_worker(
        cluster, group, topic, folder, f"w{i + 1}", function=function, delay=delay, crash=crash,
        overrides={"auto.commit.interval.ms": commit_interval_ms,
                   "group.instance.id": f"{group}-w{i + 1}"}) for i in range(workers)}

    def seen() -> Counter:
        return Counter(v for w in pool.values() for _p, _o, v in w.processed())

    def crashed() -> dict[str, Any]:
        try:
            return json.loads(token.read_text() or "{}")
        except (OSError, ValueError):
            return {}

    try:
        _wait(lambda: bool(crashed()) or len(seen()) >= total, timeout, "the crash",
              list(pool.values()), progress=lambda: len(seen()))
        victim = crashed().get("worker", "")
        alive = [w for n, w in pool.items() if n != victim]
        _wait(lambda: len(seen()) >= total, timeout, "processing of every record", alive,
              progress=lambda: len(seen()))
        _wait(lambda: at_end(cluster, group, topic, ends), 5, "the last commits")
    except (TimeoutError, RuntimeError):
        pass  # reported through the counts below
    info = crashed()
    victim = info.pop("worker", "")
    alive = {n: w for n, w in pool.items() if n != victim}
    for w in alive.values():
        w.stop_file.touch()  # all at once: should_stop() turns True for every worker
    deadline = time.monotonic() + stop_wait
    stuck = []
    for n, w in alive.items():
        try:
            w.child.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            w.kill()
            stuck.append(n)
    try:  # a commit made on the way out is acknowledged before close() returns
        _wait(lambda: at_end(cluster, group, topic, ends), 2, "the last commits")
    except (TimeoutError, RuntimeError):
        pass
    done = at_end(cluster, group, topic, ends)
    counts = seen()
    return PoolResult(total, {n: len(w.processed()) for n, w in pool.items()}, victim,
                      total - len(counts), sum(c - 1 for c in counts.values()), done,
                      "".join(w.error()[-800:] for w in pool.values()), info, stuck)


def try_worker(cluster: Cluster, function: Callable[..., Any], topic: str, group: str,
               folder: Path, delay: float = 0.002, timeout: float = 20.0) -> PoolResult:
    """The exercise's self-check: ``function`` in one worker process, no crash; wait until it
    processed the whole topic, ask it to stop, and report (its error output included)."""
    ends = end_offsets(cluster, topic)
    total = sum(ends.values())
    worker = start_worker(cluster, group, topic, folder, "trial", function=function, delay=delay)

    def processed() -> int:
        return len({v for _p, _o, v in worker.processed()})

    try:
        _wait(lambda: processed() >= total, timeout, "processing of every record", [worker])
        _wait(lambda: at_end(cluster, group, topic, ends), 5, "the commits")
    except (TimeoutError, RuntimeError):
        pass
    code = worker.stop(10)
    counts = Counter(v for _p, _o, v in worker.processed())
    errors = worker.error()[-1500:]
    if code not in (0, None):
        errors += f"\n(the worker process ended with exit code {code}: it did not return " \
                  "within 10 s of should_stop() turning True)" if code == -9 else \
                  f"\n(the worker process ended with exit code {code})"
    return PoolResult(total, {"trial": sum(counts.values())}, "", total - len(counts),
                      sum(c - 1 for c in counts.values()),
                      at_end(cluster, group, topic, ends), errors)
