"""Kafka in front: worker pods that consume the front door's topic at their own pace."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, Producer

from ...clients import group_settled, wait_until
from ...cluster import Cluster


def process(request: dict[str, Any], service_ms: float) -> None:
    """A pod's work on one request: ``service_ms`` of (simulated) processing."""
    time.sleep(service_ms / 1000)


PodLoop = Callable[[Consumer, Producer, threading.Event], None]


class KafkaWorkers:
    """``pods`` threads, each one pod with its own consumer in ``group`` on ``topic``.

    Without ``pod_loop`` each pod processes a request (:func:`process`), records when it was
    done (``self.done``) and then stores its offset (committed every 200 ms): at least once.
    A custom ``pod_loop(consumer, producer, stop)`` gets a consumer with auto-commit off, a
    producer, and must return soon after ``stop`` is set; exceptions it raises land in
    ``errors`` (``start`` then returns at once).
    """

    def __init__(self, cluster: Cluster, topic: str, group: str, pods: int, service_ms: float,
                 pod_loop: PodLoop | None = None) -> None:
        self.cluster, self.topic, self.group, self.pods = cluster, topic, group, pods
        self.service_ms, self.pod_loop = service_ms, pod_loop
        self.done: list[dict[str, Any]] = []
        self.assigned: dict[int, int] = {}
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.clients: list[tuple[Consumer, Producer]] = []
        self.errors: list[Exception] = []

    def _default_loop(self, pod: int) -> PodLoop:
        def loop(consumer: Consumer, _producer: Producer, stop: threading.Event) -> None:
            while not stop.is_set():
                msg = consumer.poll(0.1)
                if msg is None or msg.error():
                    continue
                request = json.loads(msg.value())
                process(request, self.service_ms)
                self.done.append({**request, "t_done": time.time(), "pod": pod})
                consumer.store_offsets(message=msg)
        return loop

    def start(self, timeout: float = 60.0) -> KafkaWorkers:
        """Start the pods and wait until the group has assigned every partition."""
        parts = len(self.cluster.describe([self.topic]).topic(self.topic))
        custom = self.pod_loop is not None
        for pod in range(self.pods):
            extra = ({"enable_auto_commit": False} if custom else
                     {"enable_auto_offset_store": False, "auto_commit_interval_ms": 200})
            consumer = Consumer(self.cluster.consumer_config(self.group, **extra))

            def on_assign(_c: Any, tps: list, pod: int = pod) -> None:
                self.assigned[pod] = len(tps)

            def on_revoke(_c: Any, _tps: list, pod: int = pod) -> None:
                self.assigned[pod] = 0

            consumer.subscribe([self.topic], on_assign=on_assign, on_revoke=on_revoke)
            producer = Producer(self.cluster.producer_config(linger_ms=2))
            loop = self.pod_loop if custom else self._default_loop(pod)
            thread = threading.Thread(target=self._guard, args=(loop, consumer, producer),
                                      daemon=True)
            self.clients.append((consumer, producer))
            self.threads.append(thread)
            thread.start()
        try:  # until balanced, or a pod loop failed: the caller then reports ``errors``
            wait_until(lambda: self.errors or group_settled(self.assigned, self.pods, parts),
                       timeout, f"the group {self.group} to assign all {parts} partitions "
                       "(does the pod loop poll?)")
        except TimeoutError:
            self.stop()
            raise
        return self

    def _guard(self, loop: PodLoop, consumer: Consumer, producer: Producer) -> None:
        try:
            loop(consumer, producer, self.stop_event)
        except Exception as exc:  # reported to the notebook, not lost in a thread
            # without its traceback, which would keep this pod's clients alive
            self.errors.append(exc.with_traceback(None))

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(15)
        for consumer, producer in self.clients:
            producer.flush(10)
            consumer.close()
        self.clients, self.threads = [], []

    def __enter__(self) -> KafkaWorkers:
        return self.start() if not self.threads else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
