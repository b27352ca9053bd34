"""Lesson 02 support: the four publish-subscribe models built on Kafka, and what they cost.

* :func:`make_orders` / :func:`fill` a reproducible stream of JSON orders keyed by customer.
* :func:`queue_split` a consumer group of workers sharing a topic (queue-style), measured.
* :class:`Rule` content filters (field conditions); :func:`filter_router` reads a topic once and
  writes each event to the derived topic of every rule it matches (content-based routing),
  :func:`region_processor` filters and routes by a field into a few derived topics (hybrid).
* :func:`measure` runs one model with N subscribers and counts its work; :func:`plot_scaling`.

Readers here use ``assign()`` (the split a group's assignor would make) so that timings measure
delivery and filtering, not group joins; every loop is bounded by a count and a deadline.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from ..clients import watermarks

REGIONS = ("eu", "us", "apac")
CATEGORIES = ("books", "games", "tools", "food")
MODELS = ("topic", "queue", "content: consumer filter", "content: router", "hybrid")


def make_orders(n: int, seed: int = 0, customers: int = 50) -> list[dict[str, Any]]:
    """``n`` orders with an increasing ``id``, a region, a category, an amount and a customer."""
    rnd = random.Random(seed)
    return [{"id": i, "region": rnd.choice(REGIONS), "category": rnd.choice(CATEGORIES),
             "amount": rnd.randint(1, 500), "customer": f"c{rnd.randrange(customers):03d}"}
            for i in range(n)]


def fill(cluster: Any, topic: str, events: list[dict[str, Any]], timeout: float = 60.0) -> int:
    """Produce every event as JSON keyed by its customer; return how many were acknowledged."""
    producer = Producer(cluster.producer_config(linger_ms=20, enable_idempotence=True))
    for e in events:
        while True:
            try:
                producer.produce(topic, key=e["customer"], value=json.dumps(e))
                break
            except BufferError:
                producer.poll(0.05)
    left = producer.flush(timeout)
    if left:
        raise RuntimeError(f"{left} events were not delivered within {timeout} s")
    return len(events)


@dataclass(frozen=True)
class Rule:
    """A content filter: every condition ``(field, op, value)`` must hold (op: ==, !=, <, <=,
    >, >=, in). ``evaluate`` counts the conditions it checks in ``counter[0]``."""

    conditions: tuple[tuple[str, str, Any], ...]

    def evaluate(self, event: dict[str, Any], counter: list[int] | None = None) -> bool:
        for name, op, value in self.conditions:
            if counter is not None:
                counter[0] += 1
            if not _OPS[op](event.get(name), value):
                return False
        return True


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b}


def subscriber_rules(n: int, conditions: int = 2) -> list[Rule]:
    """``n`` different rules of ``conditions`` conditions each (region, category, amount...)."""
    rules = []
    for i in range(n):
        conds: list[tuple[str, str, Any]] = [("region", "==", REGIONS[i % 3]),
                                             ("category", "==", CATEGORIES[(i // 3) % 4]),
                                             ("amount", ">=", 50 * (i % 5))]
        conds += [("amount", "<=", 500 - j) for j in range(max(0, conditions - 3))]
        rules.append(Rule(tuple(conds[:conditions])))
    return rules


@dataclass
class Reader:
    """What one subscriber (or worker) got: records, kept records, work, and when it finished."""

    name: str
    delivered: int = 0
    kept: list[dict[str, Any]] = field(default_factory=list)
    partitions: set[int] = field(default_factory=set)
    evaluations: int = 0
    done_s: float | None = None


def read(cluster: Any, topic: str, reader: Reader, expected: int, start: float,
         partitions: list[int] | None = None, keep: Callable[[dict, list[int]], bool] | None = None,
         timeout: float = 60.0) -> Reader:
    """Read ``topic`` from the beginning (only ``partitions`` if given) until ``expected``
    records or ``timeout``; ``keep(event, counter)`` filters (None keeps all)."""
    consumer = Consumer(cluster.consumer_config(f"reader-{reader.name}", enable_auto_commit=False,
                                                fetch_wait_max_ms=50))
    if partitions is None:
        partitions = [p.partition for p in cluster.describe([topic]).topic(topic)]
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    counter = [0]
    try:
        while reader.delivered < expected and time.monotonic() - start < timeout:
            for msg in consumer.consume(num_messages=500, timeout=0.1):
                if msg.error():
                    continue
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


def in_threads(jobs: list[Callable[[], Any]], timeout: float = 120.0) -> None:
    threads = [threading.Thread(target=j, daemon=True) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)


def route(cluster: Any, source: str, expected: int, targets: Callable[[dict, list[int]], list[str]],
          start: float, project: Callable[[dict], dict] | None = None,
          timeout: float = 60.0) -> Reader:
    """A stream processor: read ``source`` once; write each event to every topic that
    ``targets(event, counter)`` names (projected by ``project``), same key. Returns its work:
    ``delivered`` read, ``kept`` the (topic, event) pairs written, ``evaluations``."""
    me = Reader("router")
    producer = Producer(cluster.producer_config(linger_ms=5, enable_idempotence=True))
    counter = [0]
    consumer = Consumer(cluster.consumer_config("router", enable_auto_commit=False,
                                                fetch_wait_max_ms=50))
    parts = [p.partition for p in cluster.describe([source]).topic(source)]
    consumer.assign([TopicPartition(source, p, OFFSET_BEGINNING) for p in parts])
    try:
        while me.delivered < expected and time.monotonic() - start < timeout:
            for msg in consumer.consume(num_messages=500, timeout=0.1):
                if msg.error():
                    continue
                me.delivered += 1
                event = json.loads(msg.value())
                for topic in targets(event, counter):
                    out = project(event) if project else event
                    _produce(producer, topic, msg.key(), json.dumps(out))
                    me.kept.append({"topic": topic, **out})
        producer.flush(timeout)
        me.done_s = time.monotonic() - start
    finally:
        me.evaluations = counter[0]
        consumer.close()
    return me


def _produce(producer: Producer, topic: str, key: Any, value: str) -> None:
    while True:
        try:
            producer.produce(topic, key=key, value=value)
            producer.poll(0)
            return
        except BufferError:
            producer.poll(0.05)


def filter_router(rules: dict[str, Rule]) -> Callable[[dict, list[int]], list[str]]:
    """Content-based routing: the derived topics (dict keys) of every rule the event matches."""
    def targets(event: dict, counter: list[int]) -> list[str]:
        return [topic for topic, rule in rules.items() if rule.evaluate(event, counter)]
    return targets


def region_processor(topics: dict[str, str], min_amount: int = 0
                     ) -> Callable[[dict, list[int]], list[str]]:
    """Hybrid: keep orders of at least ``min_amount`` and route each to its region's topic."""
    def targets(event: dict, counter: list[int]) -> list[str]:
        counter[0] += 1
        return [topics[event["region"]]] if event["amount"] >= min_amount else []
    return targets


def partition_sizes(cluster: Any, topic: str) -> dict[int, int]:
    """Records per partition (log end minus log start)."""
    consumer = Consumer(cluster.consumer_config("sizes", enable_auto_commit=False))
    try:
        return {p.partition: (lambda w: w[1] - w[0])(watermarks(
                    consumer, TopicPartition(topic, p.partition)))
                for p in cluster.describe([topic]).topic(topic)}
    finally:
        consumer.close()


def queue_split(cluster: Any, topic: str, group: str, workers: int,
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
        while not (len(assigned) == workers and sum(assigned.values()) == parts
                   and sum(1 for n in assigned.values() if n) == min(workers, parts)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"group {group} did not settle within {timeout} s")
            time.sleep(0.05)
        fill(cluster, topic, events)
        while sum(r.delivered for r in readers) < total and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    return readers


def measure(cluster: Any, model: str, source: str, events: list[dict[str, Any]], n: int,
            conditions: int = 2, min_amount: int = 100, timeout: float = 60.0) -> dict[str, Any]:
    """Carry the ``events`` already in ``source`` to ``n`` subscribers with one of
    :data:`MODELS`; return the wall time and the work, per source message."""
    m = len(events)
    readers = [Reader(f"{model[:5]}-{n}-{i}-{time.monotonic_ns()}") for i in range(n)]
    router: Reader | None = None
    jobs: list[Callable[[], Any]] = []
    if model in ("topic", "content: consumer filter"):
        rules = subscriber_rules(n, conditions)
        for r, rule in zip(readers, rules, strict=True):
            keep = rule.evaluate if model != "topic" else None
            jobs.append(lambda r=r, keep=keep: read(cluster, source, r, m, start, None, keep,
                                                   timeout))
    elif model == "queue":
        sizes = partition_sizes(cluster, source)
        for i, r in enumerate(readers):
            mine = [p for p in sorted(sizes) if p % n == i]
            jobs.append(lambda r=r, mine=mine: read(cluster, source, r,
                                                    sum(sizes[p] for p in mine), start, mine,
                                                    timeout=timeout))
    elif model in ("content: router", "hybrid"):
        if model == "hybrid":
            out = {g: cluster.create_topic(prefix=f"hybrid-{g}", partitions=1) for g in REGIONS}
            targets = region_processor(out, min_amount)
            wanted = [out[REGIONS[i % 3]] for i in range(n)]
        else:
            rules = subscriber_rules(n, conditions)
            out = {f"s{i}": cluster.create_topic(prefix=f"routed-s{i}", partitions=1)
                   for i in range(n)}
            targets = filter_router({out[f"s{i}"]: rules[i] for i in range(n)})
            wanted = [out[f"s{i}"] for i in range(n)]
        expect = {t: sum(t in targets(e, [0]) for e in events) for t in set(wanted)}
        box: dict[str, Reader] = {}
        jobs.append(lambda: box.__setitem__("r", route(cluster, source, m, targets, start,
                                                        timeout=timeout)))
        for r, topic in zip(readers, wanted, strict=True):
            jobs.append(lambda r=r, t=topic: read(cluster, t, r, expect[t], start,
                                                  timeout=timeout))
    else:
        raise ValueError(f"unknown model {model!r}; use one of {MODELS}")
    cpu, start = time.process_time(), time.monotonic()
    in_threads(jobs, timeout + 10)
    seconds, cpu = time.monotonic() - start, time.process_time() - cpu
    if model in ("content: router", "hybrid"):
        router = box.get("r")
    clients = readers + ([router] if router else [])
    done = [r.done_s for r in readers if r.done_s]
    return {"model": model, "subscribers": n, "messages": m, "seconds": round(seconds, 3),
            "complete": len(done) == n and (router is None or router.done_s is not None),
            "stream_msgs_per_s": round(m / seconds),
            "per_subscriber_msgs_per_s": round(sum(r.delivered / r.done_s for r in readers
                                                   if r.done_s) / n),
            "deliveries_per_msg": round(sum(c.delivered for c in clients) / m, 3),
            "writes_per_msg": round(len(router.kept) / m, 3) if router else 0.0,
            "evaluations_per_msg": round(sum(c.evaluations for c in clients) / m, 3),
            "cpu_us_per_msg": round(1e6 * cpu / m, 1),
            "kept": [len(r.kept) for r in readers]}


def plot_scaling(df: Any) -> Any:
    """Stream throughput, records moved per message and client CPU per message, vs N."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for (model, rows), style in zip(df.groupby("model", sort=False),
                                    ("o-", "s--", "^-", "v--", "D-"), strict=False):
        axes[0].plot(rows.subscribers, rows.stream_msgs_per_s, style, label=model)
        axes[1].plot(rows.subscribers, rows.deliveries_per_msg + rows.writes_per_msg, style)
        axes[2].plot(rows.subscribers, rows.cpu_us_per_msg, style)
    titles = ("source messages/s to all subscribers", "records read + written per message",
              "client CPU µs per message")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("subscribers")
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig
