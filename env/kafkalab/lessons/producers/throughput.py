"""Throughput and latency of one producer configuration: :func:`bench`, :func:`latency_probe`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from ...clients import send
from ...cluster import Cluster


def payload(i: int, size: int) -> bytes:
    """A JSON-like event of about ``size`` bytes: realistic enough for compression to work on."""
    base = (f'{{"id":{i},"user":"user-{i % 997}","action":"{("view", "click", "buy")[i % 3]}",'
            f'"page":"/products/{i % 211}","ts":{1_700_000_000_000 + i},"note":"')
    pad = ("lorem ipsum dolor sit amet " * (size // 27 + 1))[:max(0, size - len(base) - 2)]
    return (base + pad + '"}').encode()


@dataclass
class Bench:
    config: dict[str, Any]
    messages: int
    seconds: float
    payload_bytes: int
    wire_bytes: int  # bytes the producer sent to brokers (after compression), from its stats

    @property
    def msgs_per_s(self) -> float:
        return self.messages / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.payload_bytes / self.seconds / 1e6


def bench(cluster: Cluster, topic: str, messages: int = 20000, size: int = 200,
          **config: Any) -> Bench:
    """Produce ``messages`` records of ``size`` bytes as fast as possible; time until the last
    delivery report. ``config`` are librdkafka properties (``{"linger.ms": 5}``).

    The producer is warmed up first (one record sent and flushed: connections, the topic's
    metadata and, with idempotence, the producer id are fetched outside the timer), and the
    bytes it sent during the warm-up are not counted."""
    import json

    stats: list[dict] = []
    conf = {**cluster.producer_config(), "statistics.interval.ms": 100, "log_level": 0,
            "stats_cb": lambda s: stats.append(json.loads(s)), **config}
    producer = Producer(conf)
    errors: list[str] = []

    def report(err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            errors.append(err.name())

    producer.produce(topic, value=payload(0, size))
    if producer.flush(30):
        raise RuntimeError("bench: the warm-up record was not delivered within 30 s")
    producer.poll(0.25)  # one statistics report after the warm-up: the baseline
    warm_stats = len(stats)
    data = [payload(i, size) for i in range(messages)]
    start = time.perf_counter()
    for value in data:
        send(producer, topic, value, wait=0.001, on_delivery=report)
    left = producer.flush(60)
    seconds = time.perf_counter() - start
    if errors or left:
        raise RuntimeError(f"bench: {len(errors)} failed ({errors[:1]}), {left} undelivered")
    producer.poll(0.25)  # let one more statistics report arrive
    def sent(s: dict) -> int:
        return sum(b["txbytes"] for n, b in s["brokers"].items() if not n.startswith("GroupCoord"))

    baseline = max((sent(s) for s in stats[:warm_stats]), default=0)
    wire = max((sent(s) for s in stats), default=0) - baseline
    return Bench(config, messages, seconds, sum(len(v) for v in data), wire)


def latency_probe(cluster: Cluster, topic: str, messages: int = 200, **config: Any) -> list[float]:
    """Send records one at a time, each flushed before the next: the delivery latency (s) of a
    lone record, with no batching or queueing in the way. A first record, not counted, warms
    the producer up (connections, metadata, the producer id with idempotence)."""
    producer = Producer({**cluster.producer_config(), "linger.ms": 0, "log_level": 0, **config})
    producer.produce(topic, value=b"warm-up")
    producer.flush(30)
    out: list[float] = []

    def report(err: KafkaError | None, msg: Message) -> None:
        if err is None:
            out.append(msg.latency())

    for i in range(messages):
        producer.produce(topic, value=str(i).encode(), on_delivery=report)
        producer.flush(10)
    return out
