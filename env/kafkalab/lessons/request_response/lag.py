"""The lag the worker pods leave: a consumer group's lag, a topic's size, and a
:class:`LagMonitor` that samples the lag in a thread."""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer

from ... import clients
from ...cluster import Cluster


def group_lag(cluster: Cluster, topic: str, group: str) -> int:
    """Records of ``topic`` that ``group`` has not committed yet (summed over partitions)."""
    config = cluster.consumer_config(group, enable_auto_commit=False)
    return sum(clients.group_lag(config, topic).values())


def topic_size(cluster: Cluster, topic: str) -> int:
    """How many records ``topic`` holds (log end minus log start, summed over partitions)."""
    config = cluster.consumer_config("topic-size", enable_auto_commit=False)
    return sum(high - low for low, high in clients.log_offsets(config, topic).values())


class LagMonitor:
    """Samples the group's lag (log end offset minus committed offset, summed over
    partitions) every ``every`` seconds in a thread; ``samples`` holds (monotonic time, lag)."""

    def __init__(self, cluster: Cluster, topic: str, group: str, every: float = 0.25) -> None:
        self.topic, self.every = topic, every
        self.consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
        self.samples: list[tuple[float, int]] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def lag(self) -> int:
        return sum(clients.group_lag(self.consumer, self.topic).values())

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.samples.append((time.monotonic(), self.lag()))
            except Exception:  # a slow answer on a busy machine: skip this sample
                pass
            self.stop_event.wait(self.every)

    def wait_drained(self, timeout: float, stall: float | None = None) -> float | None:
        """Wait until the lag is 0; return the seconds waited, or None at ``timeout`` (or,
        given ``stall``, once the lag has not changed for that many seconds: a group that
        stopped committing will not drain)."""
        start = time.monotonic()
        last, since = None, start
        while time.monotonic() - start < timeout:
            if self.samples and self.samples[-1][1] == 0 and self.samples[-1][0] > start:
                return time.monotonic() - start
            lag = self.samples[-1][1] if self.samples else None
            if lag != last:
                last, since = lag, time.monotonic()
            elif stall is not None and time.monotonic() - since > stall:
                return None
            time.sleep(self.every / 2)
        return None

    def __enter__(self) -> LagMonitor:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(15)
        self.consumer.close()
