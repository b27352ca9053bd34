"""The exercise's test: run a copier function as a process, crash it again and again, and check
that a ``read_committed`` reader of its output sees the input exactly once, in order per key.

Each round writes a chunk of input (transactions of 10 records, each third one followed by an
aborted transaction of junk records that a correct copier never sees), starts the copier with a
crash point (it SIGKILLs itself right after the n-th return of one call: a consumer commit, a
transaction commit, a flush, ...; see ``kafkalab.clients.crashpoints``; half a second after a
produce call, time for the short auto-commit interval its consumer config carries to pass) and
waits until the copier crashed there or, never making that call, copied the round's input; then
it SIGKILLs it if still alive. One round has no crash point: the copier is SIGKILLed at a
random moment once it copies. Then (after at least one crash round) one run whose first
``commit_transaction`` raises an abortable error (``txn_requires_abort()``; see
``copier.arm_fault``): the copier may end there, or abort the transaction and copy its records
again, never lose them. A last run without crash finishes the copy, and must return once
``should_stop()`` says so.

The output is judged as (key, value) records: each input record exactly once, nothing else, in
input order per key.
"""

from __future__ import annotations

import inspect
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confluent_kafka import Producer

from ...clients.crashpoints import KILL, crashed
from ...clients.records import Record
from .copier import Copier, start_copier
from .reading import read_to_end

if TYPE_CHECKING:
    from ...cluster import Cluster

# The call after which each round's copier crashes (None: killed at a random moment), in the
# order the rounds use them: after each, a copier that keeps its progress in the wrong place
# loses or repeats records.
ROUND_CRASHES = ("commit_transaction", "commit", "flush", "produce", None,
                 "send_offsets_to_transaction", "consume")
# The copier's consumer config comes with a short auto-commit interval, and a copier crashing
# after a produce call lives PRODUCE_WAIT s longer (a slow transform): a consumer left
# auto-committing commits the open transaction's input positions before the crash.
AUTO_COMMIT_MS = 100
PRODUCE_WAIT = 0.5
# The fault run: its copier's first commit_transaction raises an abortable error.
FAULT = ("commit_transaction", 1)
# Seconds the last run has to return once should_stop() says so.
STOP_SECONDS = 10.0
PARAMETERS = ("consumer_config", "producer_config", "transactional_id", "source", "sink",
              "should_stop")


def check_signature(function: Any) -> None:
    """Raise TypeError, in one sentence, unless ``function`` takes the copier's six
    parameters."""
    if not callable(function):
        raise TypeError(f"copier must be a function, not {type(function).__name__}.")
    names = tuple(inspect.signature(function).parameters)
    if names != PARAMETERS:
        raise TypeError(f"copier must take ({', '.join(PARAMETERS)}), yours takes "
                        f"({', '.join(names)}).")


@dataclass
class CrashTest:
    records: int  # committed input records
    output: int  # records read_committed sees in the output
    missing: int  # input (key, value) records absent from the output
    duplicates: int
    junk: int  # records of aborted input transactions that reached the output
    out_of_order_keys: list[str]
    crashes: list[str] = field(default_factory=list)  # how each round ended
    errors: str = ""
    foreign: int = 0  # output records that are no input record (another key, another value)
    stop_problem: str = ""  # how the last run failed to return after should_stop(), if it did

    @property
    def exactly_once(self) -> bool:
        """The output holds exactly the input's (key, value) records, once each, in order per
        key."""
        return (self.output == self.records and not self.missing and not self.duplicates
                and not self.junk and not self.foreign and not self.out_of_order_keys)

    @property
    def passed(self) -> bool:
        """Exactly once, and the last run returned when asked to stop."""
        return self.exactly_once and not self.stop_problem

    def verdict(self) -> str:
        stop = f"; {self.stop_problem}" if self.stop_problem else ""
        if self.exactly_once:
            return (f"exactly once: {self.records} records (same key, same value), in order per "
                    f"key, after {len(self.crashes)} crashes and faults ({', '.join(self.crashes)})"
                    + stop)
        return (f"{self.missing} missing, {self.duplicates} duplicated, {self.junk} aborted "
                f"input records copied, {self.foreign} records with a key or value no input "
                f"record has, keys out of order: {self.out_of_order_keys or 'none'} (of "
                f"{self.records} records, {self.output} in the output; crashes: "
                f"{', '.join(self.crashes)}){stop}")


def judge(expected: list[tuple[str, str]], got: list[Record], crashes: list[str],
          errors: str = "", stop_problem: str = "") -> CrashTest:
    """Compare the output ``got`` (read partition by partition in offset order) with the input
    ``expected`` ((key, value) in the order written)."""
    want = Counter(expected)
    counts = Counter((r.key, r.value) for r in got)
    junk = sum(c for (_, v), c in counts.items() if v is not None and v.startswith("junk"))
    foreign = sum(c for kv, c in counts.items() if kv not in want) - junk
    index = {kv: i for i, kv in enumerate(expected)}
    per_key: dict[str, list[int]] = {}
    for r in got:
        if (r.key, r.value) in index:
            per_key.setdefault(r.key or "", []).append(index[(r.key, r.value)])
    out_of_order = sorted(k for k, seq in per_key.items() if seq != sorted(seq))
    return CrashTest(len(expected), len(got), sum((want - counts).values()),
                     sum(c - 1 for kv, c in counts.items() if kv in want and c > 1),
                     junk, out_of_order, crashes, errors[-1500:], foreign, stop_problem)


def _feed(producer: Producer, topic: str, start: int, count: int,
          keys: int) -> list[tuple[str, str]]:
    records = []
    for batch_start in range(start, start + count, 10):
        producer.begin_transaction()
        for i in range(batch_start, min(batch_start + 10, start + count)):
            key, value = f"k{i % keys}", f"k{i % keys}:{i}"
            producer.produce(topic, key=key, value=value)
            records.append((key, value))
        producer.commit_transaction(30)
        if (batch_start // 10) % 3 == 2:
            producer.begin_transaction()
            for j in range(5):
                producer.produce(topic, key=f"k{j % keys}", value=f"junk-{batch_start}-{j}")
            producer.flush(30)
            producer.abort_transaction(30)
    return records


def _copied(cluster: Cluster, sink: str, expected: int) -> bool:
    """Does a read_committed reader see at least ``expected`` records in the output yet?"""
    return len(read_to_end(cluster, sink, "read_committed", timeout=10)) >= expected


def _wait(copier: Copier, done: Callable[[], bool], seconds: float) -> None:
    """Until the copier has died (its crash point fired), ``done()`` or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    checked = 0.0
    while copier.alive() and time.monotonic() < deadline:
        if time.monotonic() - checked > 0.5:
            checked = time.monotonic()
            if done():
                return
        time.sleep(0.05)


def crash_test(cluster: Cluster, function: Callable[..., Any] | None, folder: Path,
               rounds: int = 4, per_round: int = 30, keys: int = 4, round_seconds: float = 1.5,
               finish_seconds: float = 12.0, seed: int | None = None,
               crash_seconds: float = 15.0, fault: bool = True) -> CrashTest:
    """Copy a growing input with ``function`` (None: the course's copier) through ``rounds``
    crashes, then (``fault`` and ``rounds`` > 0) a run whose first ``commit_transaction`` fails
    with an abortable error, and a final clean run; judge what read_committed sees in the
    output. A round with a crash point or the fault lasts until the copier has ended or copied
    the round's input (at most ``crash_seconds``); the random round kills it within
    ``round_seconds`` of its first copy."""
    if function is not None:
        check_signature(function)
    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:6]
    source = cluster.create_topic(prefix="input", partitions=2)
    sink = cluster.create_topic(prefix="output", partitions=2)
    group, tid = f"copier-{tag}", f"copier-{tag}"
    feeder = Producer({**cluster.producer_config(transactional_id=f"feed-{tag}"), "log_level": 0})
    feeder.init_transactions(30)
    expected: list[tuple[str, str]] = []
    crashes: list[str] = []
    errors = ""

    def run(name: str, crash: tuple[str, int] | None,
            failing: tuple[str, int] | None = None) -> Copier:
        # a transform that takes a while after a produce call: a consumer that auto-commits
        # (every AUTO_COMMIT_MS here) commits the positions of an open transaction meanwhile
        wait = PRODUCE_WAIT if crash and crash[0] == "produce" else 0.0
        return start_copier(cluster, folder, f"{name}-{tag}", source, sink, group, tid,
                            function=function, crash=crash, wait=wait, fault=failing,
                            consumer_overrides={"auto.commit.interval.ms": AUTO_COMMIT_MS})

    for r in range(rounds):
        expected += _feed(feeder, source, len(expected), per_round, keys)
        kind = ROUND_CRASHES[r % len(ROUND_CRASHES)]
        # right after the first such call (every copier makes each of its calls at least once
        # per batch); after a random one of the first produce calls
        after = rng.randint(1, 5) if kind == "produce" else 1
        copier = run(f"round{r}", (kind, after) if kind else None)
        target = len(expected)
        if kind is None:  # a kill at a random moment once the copier is copying
            _wait(copier, lambda t=target - per_round + 1: _copied(cluster, sink, t),
                  crash_seconds)
            deadline = time.monotonic() + rng.uniform(0, round_seconds)
            while copier.alive() and time.monotonic() < deadline:
                time.sleep(0.02)
        else:  # the crash point fires when the copier makes that call; a copier that never
            # makes it copies this round's records instead (a process start and a group join
            # take seconds on a busy machine: the round waits for one or the other)
            _wait(copier, lambda t=target: _copied(cluster, sink, t), crash_seconds)
        if copier.alive():
            copier.kill()
            crashes.append("killed at a random moment")
        else:
            code = copier.returncode
            crashes.append(f"after {kind} #{after}" if crashed(code) else f"exited ({code})")
            if not crashed(code) and code != 0:
                errors += copier.error()
    if rounds and fault:  # a transaction that fails: abort it and copy its records again
        expected += _feed(feeder, source, len(expected), per_round, keys)
        copier = run("fault", None, FAULT)
        _wait(copier, lambda t=len(expected): _copied(cluster, sink, t), crash_seconds)
        what = f"{FAULT[0]} #{FAULT[1]} failed (abortable)"
        if copier.alive():
            copier.kill()
            crashes.append(f"{what}, then killed")
        else:
            code = copier.returncode
            crashes.append(f"{what}, then " + ("killed" if crashed(code) else f"exited ({code})"))
            if not crashed(code) and code != 0 and "injected by the test" not in copier.error():
                errors += copier.error()
    if not rounds:
        expected += _feed(feeder, source, 0, per_round, keys)
    final = run("final", None)
    deadline = time.monotonic() + finish_seconds
    while final.alive() and time.monotonic() < deadline:
        if _copied(cluster, sink, len(expected)):
            break
        time.sleep(0.2)
    stop_problem = ""
    if not final.alive():
        if final.returncode not in (0, None):
            errors += final.error()
            stop_problem = (f"the last run failed (exit code {final.returncode}) before "
                            "should_stop() returned True")
    else:
        code = final.stop(STOP_SECONDS)
        if code != 0:
            stop_problem = (f"the last run did not return within {STOP_SECONDS:.0f} s of "
                            "should_stop() returning True (killed)" if code == -KILL
                            else f"the last run failed (exit code {code}) after should_stop() "
                            "returned True")
            if code != -KILL:
                errors += final.error()
    got = read_to_end(cluster, sink, "read_committed")
    return judge(expected, got, crashes, errors, stop_problem)
