"""Share groups (KIP-932), the queue model with per-record acknowledgement.

:func:`configure_group` sets a share group's parameters through the admin API (a GROUP config
resource) and returns what the broker then reports; :func:`share_config` is a ``ShareConsumer``'s
configuration (explicit acknowledgement); :func:`spread` starts N consumers in a share group or
a classic group and counts what each got; :func:`kill_holder` has a child process acquire records
and die holding them, and times their redelivery; :func:`release_until_archived` watches one
record come back until its delivery-count limit; :class:`Jobs` is the exercise's processing
step (good, transient and poison jobs) that records every attempt.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import AcknowledgeType, Consumer, ShareConsumer

from ... import scratch
from ...clients import produce_all, wait_until
from ...cluster import Cluster
from ...procs import Child, suspend

#: what every share group in this lesson is given (the demo changes the lock and the limit)
GROUP_DEFAULTS = {"share.auto.offset.reset": "earliest", "share.heartbeat.interval.ms": "1000",
                  "share.record.lock.duration.ms": "5000", "share.delivery.count.limit": "3"}


def configure_group(cluster: Cluster, group: str, **configs: str) -> dict[str, str]:
    """Set ``configs`` (``GROUP_DEFAULTS`` first, keyword names with ``_`` for ``.``) on the
    group ``group`` with ``incremental_alter_configs`` on a GROUP resource; return the group's
    ``share.*`` and ``errors.*`` configs once the broker describes the new values (it learns
    them from the controller a moment after the change is accepted, and a share consumer that
    joins before that gets the old ones)."""
    wanted = {**GROUP_DEFAULTS, **{k.replace("_", "."): str(v) for k, v in configs.items()}}
    return _share_settings(cluster.set_configs("group", group, wanted))


def applied_group_config(cluster: Cluster, group: str, wanted: dict[str, str],
                         timeout: float = 10.0) -> dict[str, str]:
    """The group's configs (:func:`group_config`) once the broker describes ``wanted``: an
    accepted ``incremental_alter_configs`` reaches the broker that answers a moment later, and
    a share consumer that joins before that gets the old values."""
    return _share_settings(cluster.wait_for_configs("group", group, wanted, timeout))


def _share_settings(configs: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in configs.items() if k.startswith(("share.", "errors."))}


def group_config(cluster: Cluster, group: str) -> dict[str, str]:
    """The group's ``share.*`` and ``errors.*`` configs as the broker describes them."""
    return _share_settings(cluster.configs("group", group, timeout=30))


def share_config(cluster: Cluster, group: str, **overrides: Any) -> dict[str, Any]:
    """A ``ShareConsumer`` configuration for ``group`` with explicit acknowledgement."""
    conf = cluster.client_config(**overrides)
    return {**conf, "group.id": group, "share.acknowledgement.mode": "explicit",
            "log_level": 3}


@dataclass
class Worker:
    """What one consumer of :func:`spread` got."""

    name: str
    records: int = 0
    partitions: set[int] = field(default_factory=set)


def spread(cluster: Cluster, topic: str, group: str, consumers: int, jobs: int, kind: str,
           work_s: float = 0.002, timeout: float = 30.0) -> list[Worker]:
    """``consumers`` consumers join ``group`` (``kind`` "share": a share group, "classic": a
    consumer group) on ``topic``; once they have polled for a while, ``jobs`` records are
    produced; each consumer processes (``work_s`` s each) and accepts what it gets. Returns one
    :class:`Worker` per consumer once every job was processed or after ``timeout`` s."""
    if kind == "share":
        configure_group(cluster, group)
    workers = [Worker(f"{kind}-{i}") for i in range(consumers)]
    stop, ready = threading.Event(), Counter[int]()
    lock = threading.Lock()

    def run(i: int) -> None:
        if kind == "share":
            # a small batch: one fetch acquires at most 10 records, so members take turns
            consumer: Any = ShareConsumer(share_config(cluster, group, max_poll_records=10))
        else:
            consumer = Consumer({**cluster.consumer_config(group), "log_level": 3})
        consumer.subscribe([topic])
        try:
            while not stop.is_set():
                batch = consumer.poll(0.2) if kind == "share" else consumer.consume(50, 0.2)
                with lock:
                    ready[i] += 1
                for msg in batch:
                    if msg.error():
                        continue
                    time.sleep(work_s)
                    workers[i].records += 1
                    workers[i].partitions.add(msg.partition())
                    if kind == "share":
                        consumer.acknowledge(msg, AcknowledgeType.ACCEPT)
                if kind == "share" and batch:
                    consumer.commit_async()
        finally:
            consumer.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(consumers)]
    for t in threads:
        t.start()
    try:
        # every member has polled 10 times (2 s or more): the group has had time to assign
        wait_until(lambda: len(ready) == consumers and min(ready.values()) >= 10, timeout,
                   f"{consumers} consumers of {group} to poll")
        time.sleep(1.5)
        # one job per record batch: the broker acquires whole batches for a share fetch, so a
        # producer's usual batches of hundreds of jobs would go to whichever member fetched first
        producer = cluster.producer(linger_ms=0, batch_num_messages=1)
        produce_all(producer, topic, (json.dumps({"job": j}) for j in range(jobs)),
                    (f"k{j}" for j in range(jobs)))
        deadline = time.monotonic() + timeout
        while sum(w.records for w in workers) < jobs and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    return workers


_HOLDER = """
import json, sys, time
from confluent_kafka import ShareConsumer
conf, topic = json.loads(sys.argv[1]), sys.argv[2]
consumer = ShareConsumer(conf)
consumer.subscribe([topic])
start = time.monotonic()
ready = False
while True:
    batch = [m for m in consumer.poll(0.2) if not m.error()]
    if not ready and time.monotonic() - start > 2.0:
        ready = True
        print("ready", flush=True)
    if batch:
        print(json.dumps({"acquired_at": time.time(), "offsets": [m.offset() for m in batch],
                          "counts": [m.delivery_count() for m in batch]}), flush=True)
        time.sleep(600)  # holds the records, acknowledges nothing: killed here
"""


def kill_holder(cluster: Cluster, topic: str, group: str, values: list[str],
                freeze: bool = False, timeout: float = 60.0) -> dict[str, Any]:
    """A child process joins ``group`` on the empty ``topic``; ``values`` are produced and the
    child acquires them; at once it is SIGKILLed (``freeze``: SIGSTOPped, its connection left
    open), holding them unacknowledged; then a second consumer joins and polls. Returns the
    offsets held, the delivery counts before and after, and the seconds from the child's
    acquisition (and from the kill) to their redelivery."""
    folder = scratch.make("holder")
    log = folder / "holder.log"
    child = Child([sys.executable, "-c", _HOLDER, json.dumps(share_config(cluster, group)),
                   topic], log)
    again: dict[int, int] = {}
    survivor = None
    try:
        held: dict[str, Any] = {}

        def child_says(what: str) -> bool:
            if not child.running:
                raise RuntimeError(f"the holder ended early: {child.log_tail()}")
            lines = log.read_text(errors="replace").splitlines()
            if what == "ready":
                return "ready" in lines
            for line in lines:
                if line.startswith("{"):
                    held.update(json.loads(line))
            return bool(held)

        wait_until(lambda: child_says("ready"), timeout, "the holder to join")
        produce_all(cluster.producer(linger_ms=5), topic, values)
        wait_until(lambda: child_says("held"), timeout, "the holder to acquire records")
        if freeze:
            suspend(child.pid)
        else:
            child.kill()
        killed = time.time()
        survivor = ShareConsumer(share_config(cluster, group))
        survivor.subscribe([topic])
        deadline = time.monotonic() + timeout
        redelivered = None
        while len(again) < len(held["offsets"]) and time.monotonic() < deadline:
            batch = [m for m in survivor.poll(0.2) if not m.error()]
            for msg in batch:
                redelivered = redelivered or time.time()
                again[msg.offset()] = msg.delivery_count()
                survivor.acknowledge(msg, AcknowledgeType.ACCEPT)
            if batch:
                survivor.commit_sync()
    finally:
        if child.running:
            child.kill()
        if survivor is not None:
            survivor.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"held": held["offsets"], "counts_before": sorted(set(held["counts"])),
            "redelivered": sorted(again), "counts_after": sorted(set(again.values())),
            "lock_held_s": round(redelivered - held["acquired_at"], 2) if redelivered else None,
            "after_kill_s": round(redelivered - killed, 2) if redelivered else None}


def redelivery_verdict(held_s: float | None, lock_s: float, how: str) -> str:
    """Say whether records held by a consumer that was ``how`` ("killed", "frozen") came back
    when their lock expired or sooner, from the seconds between acquisition and redelivery."""
    if held_s is None:
        return f"The records of the {how} consumer did not come back in time."
    if held_s < 0.8 * lock_s:
        return (f"The records of the {how} consumer came back {held_s} s after they were "
                f"acquired, **before** the {lock_s} s lock expired: the broker released them "
                "when the consumer's connection closed.")
    return (f"The records of the {how} consumer came back {held_s} s after they were "
            f"acquired, once the {lock_s} s acquisition lock had expired: nothing released "
            "them before.")


def release_until_archived(cluster: Cluster, topic: str, group: str, poison: bytes,
                           timeout: float = 30.0) -> dict[str, Any]:
    """One consumer accepts every record of ``topic`` except the one whose value is ``poison``,
    which it releases each time it comes back. Returns the delivery counts the poison record
    was seen with, and whether it stopped coming back (``timeout`` s, or 3 s of silence after
    its last delivery)."""
    consumer = ShareConsumer(share_config(cluster, group))
    consumer.subscribe([topic])
    counts: list[int] = []
    last = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and (last is None or time.monotonic() - last < 3.0):
            batch = [m for m in consumer.poll(0.2) if not m.error()]
            for msg in batch:
                if msg.value() == poison:
                    counts.append(msg.delivery_count())
                    last = time.monotonic()
                    consumer.acknowledge(msg, AcknowledgeType.RELEASE)
                else:
                    consumer.acknowledge(msg, AcknowledgeType.ACCEPT)
            if batch:
                consumer.commit_sync()
    finally:
        consumer.close()
    return {"delivery_counts": counts,
            "stopped": last is not None and time.monotonic() - last >= 3.0}


class TransientError(Exception):
    """Processing failed for a reason that goes away: try the record again later."""


class PoisonError(Exception):
    """This record can never be processed."""


@dataclass
class Jobs:
    """The exercise's jobs: ``make(n, seed)`` values ``{"job": i, "kind": ...}`` where
    ``kind`` is "good" (processes), "transient" (fails once with :class:`TransientError`,
    then processes) or "poison" (always fails with :class:`PoisonError`). Calling the object
    processes one value (bytes) and records the attempt."""

    attempts: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)
    kinds: dict[int, str] = field(default_factory=dict)

    def make(self, n: int, seed: int = 0) -> list[str]:
        import random
        rnd = random.Random(seed)
        values = []
        for i in range(n):
            kind = rnd.choices(("good", "transient", "poison"), (8, 2, 1))[0]
            self.kinds[i] = kind
            values.append(json.dumps({"job": i, "kind": kind}))
        return values

    def __call__(self, value: bytes) -> None:
        job = json.loads(value)
        i = job["job"]
        self.attempts[i] += 1
        if job["kind"] == "poison":
            raise PoisonError(f"job {i} can never be processed")
        if job["kind"] == "transient" and self.attempts[i] == 1:
            raise TransientError(f"job {i}: the service it needs is busy, try again")
        self.done[i] += 1

    def of(self, kind: str) -> list[int]:
        return [i for i, k in self.kinds.items() if k == kind]


def broker_limits(cluster: Cluster) -> dict[str, str]:
    """The first broker's ``group.share.*`` floors and defaults (what a group may be set to)."""
    broker = min(cluster.admin().list_topics(timeout=30).brokers)
    described = cluster.configs("broker", broker, timeout=30)
    keys = ("group.share.min.record.lock.duration.ms", "group.share.record.lock.duration.ms",
            "group.share.min.delivery.count.limit", "group.share.delivery.count.limit",
            "group.share.max.delivery.count.limit", "group.share.min.heartbeat.interval.ms",
            "errors.deadletterqueue.auto.create.topics.enable",
            "errors.deadletterqueue.topic.name.prefix")
    return {k: described[k] for k in keys if k in described}


def dead_letter_probe(cluster: Cluster, topic: str, group: str, dead_letter: str,
                      timeout: float = 20.0) -> dict[str, Any]:
    """Ask for a dead-letter topic on ``group`` (``errors.deadletterqueue.topic.name``, with
    the record copied) and see what reaches it: record ``b"reject"`` is rejected, ``b"limit"``
    released until its delivery-count limit, the rest accepted. Returns what was done and the
    records the dead-letter topic holds 2 s after the last delivery."""
    from ...clients import read_to_end
    configure_group(cluster, group, **{"errors.deadletterqueue.topic.name": dead_letter,
                                       "errors.deadletterqueue.copy.record.enable": "true",
                                       "share.delivery.count.limit": "2"})
    consumer = ShareConsumer(share_config(cluster, group))
    consumer.subscribe([topic])
    done: Counter = Counter()
    last = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and (last is None or time.monotonic() - last < 2.0):
            batch = [m for m in consumer.poll(0.2) if not m.error()]
            for msg in batch:
                last = time.monotonic()
                kind = {b"reject": AcknowledgeType.REJECT,
                        b"limit": AcknowledgeType.RELEASE}.get(msg.value(), AcknowledgeType.ACCEPT)
                done[str(kind).rsplit(".", 1)[-1].lower()] += 1
                consumer.acknowledge(msg, kind)
            if batch:
                consumer.commit_sync()
    finally:
        consumer.close()
    time.sleep(2.0)
    held = read_to_end(cluster.client_config(), dead_letter, timeout=10)
    return {"acknowledged": dict(done), "dead_letter_records": [m.value() for m in held]}


def spread_verdict(busy: dict[str, int], consumers: int, partitions: int) -> str:
    """Say how many consumers each kind of group kept busy (``busy``: kind -> count)."""
    out = []
    for kind, n in busy.items():
        if n == consumers:
            out.append(f"the {kind} group kept all {consumers} consumers busy")
        elif n <= partitions:
            out.append(f"the {kind} group kept only {n} of {consumers} busy (at most one per "
                       f"partition, {partitions} partitions)")
        else:
            out.append(f"the {kind} group kept {n} of {consumers} busy, more than its "
                       f"{partitions} partitions")
    return "In this run " + "; ".join(out) + "."
