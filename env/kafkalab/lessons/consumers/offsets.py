"""Offsets and lag: log end offsets, a group's committed offsets, Kafka's own
``kafka-consumer-groups`` tool, and a live processing-lag experiment."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from ... import clients
from ...cluster import Cluster
from .workers import Worker


def end_offsets(cluster: Cluster, topic: str) -> dict[int, int]:
    """Each partition's log end offset (high watermark), as the broker reports it now."""
    return clients.end_offsets(cluster.client_config(), topic)


def committed(cluster: Cluster, group: str, topic: str) -> dict[int, int]:
    """The group's committed offset per partition (-1001 where it has none)."""
    return clients.group_offsets({**cluster.consumer_config(group), "log_level": 0}, topic)


def commit_offsets(cluster: Cluster, group: str, offsets: dict[tuple[str, int], int]) -> None:
    """Commit ``{(topic, partition): offset}`` for ``group`` (which must have no members)."""
    consumer = Consumer({**cluster.consumer_config(group), "log_level": 0})
    try:
        consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                        asynchronous=False)
    finally:
        consumer.close()


def at_end(cluster: Cluster, group: str, topic: str, ends: dict[int, int]) -> bool:
    """Whether the group has committed every record of ``topic`` (an empty partition needs no
    commit)."""
    done = committed(cluster, group, topic)
    return all(max(done.get(p, 0), 0) >= end for p, end in ends.items())


def kafka_tool_lag(cluster: Cluster, group: str,
                   timeout: float = 90.0) -> dict[tuple[str, int], int]:
    """Kafka's own ``kafka-consumer-groups --describe`` (ConsumerGroupCommand, run on the
    cluster's own Kafka jars): {(topic, partition): LAG}, partitions without a lag left out."""
    out = cluster.run_tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                           "--describe", "--group", group, timeout=timeout)
    lines = [ln.split() for ln in out.stdout.splitlines()]
    header = next((ln for ln in lines if "LAG" in ln), None)
    if header is None:
        raise RuntimeError(f"kafka-consumer-groups printed no table: {out.stdout[-400:]}")
    col = {name: i for i, name in enumerate(header)}
    return {(ln[col["TOPIC"]], int(ln[col["PARTITION"]])): int(ln[col["LAG"]])
            for ln in lines if len(ln) >= len(header) and ln is not header
            and ln[col["LAG"]].lstrip("-").isdigit() and ln[col["PARTITION"]].isdigit()}


def lag_experiment(cluster: Cluster, topic: str, worker: Worker, group: str, rate: int,
                   seconds: float, catch_up: float = 60.0, every: float = 0.25,
                   progress: bool = True) -> list[dict[str, Any]]:
    """Produce to ``topic`` at ``rate`` records/s (keyless, so spread over its partitions) for
    ``seconds`` while ``worker`` (a member of ``group``) consumes, then stop producing and wait
    up to ``catch_up`` s for it to catch up. Every ``every`` s, sample each partition's lag as
    Kafka defines it (and ``kafka-consumer-groups`` reports it): the log end offset minus the
    group's committed offset (0 where nothing is committed yet counts from offset 0)."""
    from tqdm.auto import tqdm

    producer = Producer({**cluster.producer_config(), "log_level": 0})
    # a consumer of the same group that never subscribes: it reads the group's commits
    watcher = Consumer({**cluster.client_config(), "group.id": group, "log_level": 0,
                        "enable.auto.commit": False})
    rows: list[dict[str, Any]] = []
    start, sent, next_sample = time.monotonic(), 0, 0.0
    bar = tqdm(total=int(rate * seconds), desc="producing", disable=not progress)
    try:
        while True:
            now = time.monotonic() - start
            due = min(int(now * rate), int(rate * seconds))
            for i in range(sent, due):
                producer.produce(topic, value=f"job-{i}".encode())
            bar.update(due - sent)
            sent = due
            producer.poll(0)
            if now >= next_sample:
                next_sample += every
                ends = clients.end_offsets(watcher, topic)
                done = {tp.partition: max(tp.offset, 0) for tp in watcher.committed(
                    [TopicPartition(topic, p) for p in ends], timeout=5)}
                lags = {p: end - done.get(p, 0) for p, end in ends.items()}
                rows.extend({"t": now, "partition": p, "lag": lag} for p, lag in lags.items())
                if now > seconds and sum(lags.values()) == 0:
                    break
                if now > seconds + catch_up:
                    break
            time.sleep(0.005)
    finally:
        bar.close()
        producer.flush(10)
        watcher.close()
    return rows
