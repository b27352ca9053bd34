"""Throughput against partitions and consumers, measured with processes.

Each producer or consumer is its own OS process (``multiprocessing`` forkserver), so Python's
GIL does not serialise them; the machine's cores still do. All workers start, join, then wait
on one "go" event, so process start-up and the consumer group's rebalance are not timed.

A consumer can be given a processing ``cost_ms`` per message, spent sleeping (as when each
message waits on a database or an HTTP call): that work needs no CPU, so it scales with
consumers even on a small machine, as far as the partitions allow.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
import uuid
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from ...clients import end_offsets, send
from ...cluster import Cluster

_CTX = None


def _ctx() -> Any:
    global _CTX
    if _CTX is None:
        _CTX = mp.get_context("forkserver")
        _CTX.set_forkserver_preload(["confluent_kafka", __name__])
    return _CTX


def cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()



def _run(workers: list[tuple[Callable[..., None], tuple]], settle: Callable[[dict], bool],
         timeout: float) -> tuple[list[dict], float, float]:
    """Start the workers, wait until ``settle(states)``, set go; return results and times."""
    import psutil

    ctx = _ctx()
    go, status = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=fn, args=(i, go, status, *args), daemon=True)
             for i, (fn, args) in enumerate(workers)]
    for p in procs:
        p.start()
    states: dict[int, Any] = {}
    results: list[dict] = []
    deadline = time.monotonic() + timeout
    last_change = time.monotonic()
    try:
        while not (settle(states) and time.monotonic() - last_change > 1.0):
            if time.monotonic() > deadline:
                raise TimeoutError(f"Workers did not get ready within {timeout} s: {states}")
            try:
                kind, i, payload = status.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind == "error":
                raise RuntimeError(f"worker {i} failed: {payload}")
            states[i], last_change = payload, time.monotonic()
        psutil.cpu_percent(None)
        t_go = time.monotonic()
        go.set()
        while len(results) < len(procs):
            kind, i, payload = status.get(timeout=max(1.0, deadline - time.monotonic()))
            if kind == "error":
                raise RuntimeError(f"worker {i} failed: {payload}")
            if kind == "done":
                results.append(payload)
        cpu = psutil.cpu_percent(None)
    finally:
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.kill()
    return sorted(results, key=lambda r: r["worker"]), t_go, cpu


def _producer_worker(i: int, go: Any, status: Any, conf: dict, topic: str, seconds: float,
                     value_size: int, warmup: int) -> None:
    try:
        producer = Producer(conf)
        producer.list_topics(topic, timeout=10)
        value = b"x" * value_size
        for j in range(warmup):  # connections, metadata and buffers ready before "go"
            send(producer, topic, value, f"warm{i}-{j}".encode(), wait=0.01)
        producer.flush(60)
        status.put(("ready", i, True))
        go.wait()
        start, n = time.monotonic(), 0
        while True:
            for _ in range(1000):
                send(producer, topic, value, f"w{i}-{n}".encode(), wait=0.01)
                n += 1
            if time.monotonic() - start >= seconds:
                break
        left = producer.flush(60)
        status.put(("done", i, {"worker": i, "sent": n - left, "end": time.monotonic()}))
    except Exception as exc:  # report instead of dying silently
        status.put(("error", i, repr(exc)))


def producer_throughput(cluster: Cluster, topic: str, producers: int = 1, seconds: float = 2.0,
                        value_size: int = 100, warmup: int = 2000,
                        timeout: float = 120.0) -> dict[str, Any]:
    """``producers`` processes, each warmed up with ``warmup`` records, then all sending keyed
    records for a window of ``seconds`` from one "go"; time go -> the last one flushed."""
    conf = cluster.producer_config(linger_ms=5)
    workers = [(_producer_worker, (conf, topic, seconds, value_size, warmup))
               for _ in range(producers)]
    results, t_go, cpu = _run(workers, lambda s: len(s) == producers, timeout)
    took = max(r["end"] for r in results) - t_go
    sent = sum(r["sent"] for r in results)
    return {"producers": producers, "messages": sent, "seconds": round(took, 3),
            "msgs/s": round(sent / took), "MB/s": round(sent * value_size / took / 1e6, 2),
            "machine CPU %": cpu}


def _consumer_worker(i: int, go: Any, status: Any, conf: dict, topic: str, cost_s: float,
                     counter: Any, total: int, timeout: float) -> None:
    try:
        consumer = Consumer(conf)

        def on_assign(c: Consumer, parts: list[TopicPartition]) -> None:
            c.assign(parts)
            if not go.is_set() and parts:
                c.pause(parts)
            status.put(("assigned", i, sorted(p.partition for p in parts)))

        def on_revoke(c: Consumer, parts: list[TopicPartition]) -> None:
            status.put(("assigned", i, []))

        consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        while not go.is_set():
            msg = consumer.poll(0.05)
            if msg is not None and not msg.error():  # fetched before the pause: put it back
                tp = TopicPartition(msg.topic(), msg.partition(), msg.offset())
                consumer.seek(tp)
                consumer.pause([tp])
        consumer.resume(consumer.assignment())
        count, per_partition = 0, {}
        first = last = None
        deadline = time.monotonic() + timeout
        while counter.value < total and time.monotonic() < deadline:
            batch = [m for m in consumer.consume(50, 0.05) if not m.error()]
            if not batch:
                continue
            first = first or time.monotonic()
            if cost_s:
                time.sleep(cost_s * len(batch))  # the per-message work, off the CPU
            for m in batch:
                per_partition[m.partition()] = per_partition.get(m.partition(), 0) + 1
            count += len(batch)
            last = time.monotonic()
            with counter.get_lock():
                counter.value += len(batch)
        status.put(("done", i, {"worker": i, "messages": count, "partitions": per_partition,
                                "assigned": sorted(p.partition for p in consumer.assignment()),
                                "first": first, "end": last}))
        consumer.close()
    except Exception as exc:
        status.put(("error", i, repr(exc)))


def consumer_throughput(cluster: Cluster, topic: str, consumers: int, cost_ms: float = 0.0,
                        timeout: float = 120.0) -> dict[str, Any]:
    """``consumers`` processes in one new group read everything in ``topic``; time go -> last.

    Returns the rate, each consumer's assigned partitions and message count, and the idle
    consumers (assigned nothing)."""
    partitions = len(cluster.wait_until(lambda d: len(d.topic(topic)) > 0, topics=[topic],
                                        what=f"topic {topic} to be known").topic(topic))
    total = sum(end_offsets(cluster.consumer_config("probe"), topic).values())
    conf = cluster.consumer_config(f"bench-{uuid.uuid4().hex[:8]}", enable_auto_commit=False,
                                   fetch_wait_max_ms=10)
    counter = _ctx().Value("q", 0)
    workers = [(_consumer_worker, (conf, topic, cost_ms / 1000, counter, total, timeout))
               for _ in range(consumers)]

    def settled(states: dict) -> bool:
        return len(states) == consumers and sum(len(a) for a in states.values()) == partitions

    results, t_go, cpu = _run(workers, settled, timeout)
    ends = [r["end"] for r in results if r["end"] is not None]
    seconds = (max(ends) - t_go) if ends else float("nan")
    got = sum(r["messages"] for r in results)
    return {"partitions": partitions, "consumers": consumers, "cost ms": cost_ms,
            "messages": got, "seconds": round(seconds, 3), "msgs/s": round(got / seconds),
            "idle consumers": sum(1 for r in results if not r["assigned"]),
            "per consumer": [r["messages"] for r in results],
            "assigned": [r["assigned"] for r in results], "machine CPU %": cpu}


def broker_open_files(cluster: Cluster) -> int | None:
    """File descriptors the brokers hold open in total (None when not on this machine)."""
    import psutil

    total = 0
    for node in cluster.nodes:
        if node.kind != "broker" or node.pid is None:
            continue
        try:
            total += psutil.Process(node.pid).num_fds()
        except (psutil.Error, OSError):
            return None
    return total if total else None
