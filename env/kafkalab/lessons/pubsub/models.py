"""The five models side by side: :data:`MODELS`, :func:`measure` one with N subscribers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ...cluster import Cluster
from .orders import REGIONS
from .readers import Reader, partition_sizes, read, route
from .rules import filter_router, region_processor, subscriber_rules

MODELS = ("topic", "queue", "content: consumer filter", "content: router", "hybrid")


def in_threads(jobs: list[Callable[[], Any]], timeout: float = 120.0) -> None:
    """Run the jobs at once, one thread each, and wait up to ``timeout`` s for each."""
    threads = [threading.Thread(target=j, daemon=True) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)


def measure(cluster: Cluster, model: str, source: str, events: list[dict[str, Any]], n: int,
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
