"""The lag the worker pods leave: a consumer group's lag, a topic's size, and a
:class:`LagMonitor` that samples the lag in a thread."""

from __future__ import annotations

import threading
import time
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from ...clients import watermarks


def _lag(consumer: Consumer, tps: list[TopicPartition]) -> int:
    total = 0
    for tp in consumer.committed(tps, timeout=10):
        low, high = watermarks(consumer, tp)
        total += high - (tp.offset if tp.offset >= 0 else low)
    return total


def group_lag(cluster: Any, topic: str, group: str) -> int:
    """Records of ``topic`` that ``group`` has not committed yet (summed over partitions)."""
    consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
    try:
        tps = [TopicPartition(topic, p.partition) for p in cluster.describe([topic]).topic(topic)]
        return _lag(consumer, tps)
    finally:
        consumer.close()


def topic_size(cluster: Any, topic: str) -> int:
    """How many records ``topic`` holds (log end minus log start, summed over partitions)."""
    consumer = Consumer(cluster.consumer_config("topic-size", enable_auto_commit=False))
    try:
        total = 0
        for p in cluster.describe([topic]).topic(topic):
            low, high = watermarks(consumer, TopicPartition(topic, p.partition))
            total += high - low
        return total
    finally:
        consumer.close()


class LagMonitor:
    """Samples the group's lag (log end offset minus committed offset, summed over
    partitions) every ``every`` seconds in a thread; ``samples`` holds (monotonic time, lag)."""

    def __init__(self, cluster: Any, topic: str, group: str, every: float = 0.25) -> None:
        self.topic, self.every = topic, every
        self.consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
        parts = cluster.describe([topic]).topic(topic)
        self.tps = [TopicPartition(topic, p.partition) for p in parts]
        self.samples: list[tuple[float, int]] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def lag(self) -> int:
        return _lag(self.consumer, self.tps)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.samples.append((time.monotonic(), self.lag()))
            except Exception:  # a slow answer on a busy machine: skip this sample
                pass
            self.stop_event.wait(self.every)

    def wait_drained(self, timeout: float) -> float | None:
        """Wait until the lag is 0; return the seconds waited, or None at ``timeout``."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.samples and self.samples[-1][1] == 0 and self.samples[-1][0] > start:
                return time.monotonic() - start
            time.sleep(self.every / 2)
        return None

    def __enter__(self) -> LagMonitor:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(15)
        self.consumer.close()
