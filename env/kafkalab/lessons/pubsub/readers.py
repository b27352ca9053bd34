"""Subscribers and a stream processor at work: :class:`Reader` (what one got), :func:`read`
(one subscriber), :func:`route` (read once, write to derived topics), :func:`queue_split` (a
consumer group sharing a topic) and :func:`partition_sizes`.

Readers here use ``assign()`` (the split a group's assignor would make) so that timings measure
delivery and filtering, not group joins; every loop is bounded by a count and a deadline.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, Producer, TopicPartition

from ...clients import group_settled, log_offsets, send, wait_until
from ...cluster import Cluster
from .orders import fill


@dataclass
class Reader:
    """What one subscriber (or worker) got: records, kept records, work, and when it finished."""

    name: str
    delivered: int = 0
    kept: list[dict[str, Any]] = field(default_factory=list)
    partitions: set[int] = field(default_factory=set)
    evaluations: int = 0
    done_s: float | None = None


def _records(consumer: Consumer, cluster: Cluster, topic: str, partitions: list[int] | None,
             more: Callable[[], bool], start: float, timeout: float) -> Iterator[Message]:
    """``topic``'s records from the beginning (only ``partitions`` if given), batch by batch
    while ``more()`` and less than ``timeout`` s since ``start``."""
    if partitions is None:
        partitions = [p.partition for p in cluster.describe([topic]).topic(topic)]
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    while more() and time.monotonic() - start < timeout:
        for msg in consumer.consume(num_messages=500, timeout=0.1):
            if not msg.error():
                yield msg


def read(cluster: Cluster, topic: str, reader: Reader, expected: int, start: float,
         partitions: list[int] | None = None, keep: Callable[[dict, list[int]], bool] | None = None,
         timeout: float = 60.0) -> Reader:
    """Read ``topic`` from the beginning (only ``partitions`` if given) until ``expected``
    records or ``timeout``; ``keep(event, counter)`` filters (None keeps all)."""
    consumer = Consumer(cluster.consumer_config(f"reader-{reader.name}", enable_auto_commit=False,
                                                fetch_wait_max_ms=50))
    counter = [0]
    try:
        for msg in _records(consumer, cluster, topic, partitions,
                            lambda: reader.delivered < expected, start, timeout):
            reader.delivered += 1
            reader.partitions.add(msg.partition())
            event = json.loads(msg.value())
            if keep is None or keep(event, counter):
                reader.kept.append(event)
        if reader.delivered >= expected:
            reader.done_s = time.monotonic() - start
    finally:
        reader.evaluations = counter[0]
        consumer.close()
    return reader


def route(cluster: Cluster, source: str, expected: int,
          targets: Callable[[dict, list[int]], list[str]], start: float,
          project: Callable[[dict], dict] | None = None, timeout: float = 60.0) -> Reader:
    """A stream processor: read ``source`` once; write each event to every topic that
    ``targets(event, counter)`` names (projected by ``project``), same key. Returns its work:
    ``delivered`` read, ``kept`` the (topic, event) pairs written, ``evaluations``."""
    me = Reader("router")
    producer = Producer(cluster.producer_config(linger_ms=5, enable_idempotence=True))
    counter = [0]
    consumer = Consumer(cluster.consumer_config("router", enable_auto_commit=False,
                                                fetch_wait_max_ms=50))
    try:
        for msg in _records(consumer, cluster, source, None, lambda: me.delivered < expected,
                            start, timeout):
            me.delivered += 1
            event = json.loads(msg.value())
            for topic in targets(event, counter):
                out = project(event) if project else event
                send(producer, topic, json.dumps(out), msg.key())
                producer.poll(0)
                me.kept.append({"topic": topic, **out})
        producer.flush(timeout)
        me.done_s = time.monotonic() - start
    finally:
        me.evaluations = counter[0]
        consumer.close()
    return me


def partition_sizes(cluster: Cluster, topic: str) -> dict[int, int]:
    """Records per partition (log end minus log start)."""
    config = cluster.consumer_config("sizes", enable_auto_commit=False)
    return {p: high - low for p, (low, high) in log_offsets(config, topic).items()}


def queue_split(cluster: Cluster, topic: str, group: str, workers: int,
                events: list[dict[str, Any]], timeout: float = 60.0) -> list[Reader]:
    """Queue-style sharing: ``workers`` consumers in one group subscribe to ``topic``; once the
    group has assigned every partition, ``events`` are produced and each worker reads what its
    partitions receive. Returns one :class:`Reader` per worker (an idle one got nothing)."""
    readers = [Reader(f"worker-{i}") for i in range(workers)]
    assigned: dict[int, int] = {}
    stop = threading.Event()
    total = len(events)
    parts = len(cluster.describe([topic]).topic(topic))

    def work(i: int) -> None:
        consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=True))
        consumer.subscribe([topic], on_assign=lambda _c, tps: assigned.__setitem__(i, len(tps)),
                           on_revoke=lambda _c, _t: assigned.__setitem__(i, 0))
        try:
            while not stop.is_set():
                for msg in consumer.consume(num_messages=200, timeout=0.1):
                    if not msg.error():
                        readers[i].delivered += 1
                        readers[i].partitions.add(msg.partition())
                        readers[i].kept.append(json.loads(msg.value()))
        finally:
            consumer.close()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    try:
        wait_until(lambda: group_settled(assigned, workers, parts), timeout,
                   f"group {group} to settle")
        fill(cluster, topic, events)
        while sum(r.delivered for r in readers) < total and time.monotonic() < deadline:
            time.sleep(0.05)  # the readers report what they got by the deadline
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    return readers
