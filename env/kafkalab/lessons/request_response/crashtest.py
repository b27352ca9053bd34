"""A pod that crashes on purpose: does a pod loop lose a request when it dies between its
steps? (the graded test of exercise 1, and the proof that commit-after-ack matters).

:func:`crash_run` writes ``n`` requests to a fresh topic and runs the student's pod loop
twice in one group: first with a producer that crashes the pod (:class:`PodCrash`) when it is
asked to produce its ``crash_at``-th ack, after which the pod's unsent acks are purged and its
consumer closed without committing (as a killed process would leave them); then a successor pod
serves what the group has not committed. A loop that commits only after its ack was delivered
loses nothing (it may ack a request twice); one that commits first, or does not wait for the
ack, loses the request it was working on or an ack it had not sent.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, Producer

from ...clients import produce, read_to_end
from ...cluster import Cluster
from .workers import PodLoop

# How long the successor pod may ack nothing new before the run ends: it joins its group and
# serves the few requests left within a second or two; waiting longer only delays the verdict
# on requests that were lost.
STALL_S = 8.0


class PodCrash(BaseException):
    """The injected crash. Not an ``Exception``: a pod loop's ``except Exception`` does not
    swallow it, as it could not swallow a power cut."""


class CrashingProducer:
    """A producer that raises :class:`PodCrash` on its ``crash_at``-th ``produce`` call and
    is otherwise the producer it wraps."""

    def __init__(self, producer: Producer, crash_at: int) -> None:
        self._producer, self._crash_at, self.calls = producer, crash_at, 0

    def produce(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1
        if self.calls == self._crash_at:
            raise PodCrash(f"the pod crashed while producing ack {self.calls}")
        self._producer.produce(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._producer, name)

    def __len__(self) -> int:
        return len(self._producer)


@dataclass
class CrashRun:
    """What :func:`crash_run` saw: the request ids, the acks per id, whether the first pod
    crashed, and the errors the pod loops raised."""

    requested: list[str]
    acks: Counter = field(default_factory=Counter)
    crashed: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def lost(self) -> list[str]:
        """Requests that never got an ack although the pods ran to the end."""
        return [r for r in self.requested if self.acks[r] == 0]


def _run_pod(pod_loop: PodLoop, consumer: Consumer, producer: Any, stop: threading.Event,
             run: CrashRun) -> None:
    try:
        pod_loop(consumer, producer, stop)
    except PodCrash:
        run.crashed = True
    except Exception as exc:  # the student's loop failed on its own
        run.errors.append(repr(exc))


def _acked(cluster: Cluster, acks_topic: str, ids: set[str]) -> Counter:
    keys = (m.key() for m in read_to_end(cluster.client_config(), acks_topic, timeout=15))
    return Counter(k.decode() for k in keys if k is not None and k.decode() in ids)


def crash_run(cluster: Cluster, pod_loop: PodLoop, acks_topic: str, n: int = 8,
              crash_at: int = 3, timeout: float = 20.0) -> CrashRun:
    """Run ``pod_loop`` on ``n`` fresh requests with a crash at its ``crash_at``-th ack, then
    a successor pod; return what was acknowledged on ``acks_topic``."""
    topic = cluster.create_topic(prefix="crash-requests", partitions=1)
    group = f"crash-pods-{uuid.uuid4().hex[:8]}"
    ids = [uuid.uuid4().hex for _ in range(n)]
    produce(cluster.producer_config(), topic,
            [json.dumps({"id": i, "t_accept": time.time()}) for i in ids], keys=ids)
    run = CrashRun(ids)
    deadline = time.monotonic() + timeout
    for successor in (False, True):
        consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
        consumer.subscribe([topic])
        # acks wait up to 1 s in the producer unless the loop flushes them (as a real
        # producer's batch waits): a crash then loses those that were not flushed
        producer = Producer(cluster.producer_config(linger_ms=1000 if not successor else 2))
        handed: Any = producer if successor else CrashingProducer(producer, crash_at)
        stop = threading.Event()
        thread = threading.Thread(target=_run_pod, daemon=True,
                                  args=(pod_loop, consumer, handed, stop, run))
        thread.start()
        seen, since = -1, time.monotonic()
        while thread.is_alive() and time.monotonic() < deadline:
            if successor:
                acked = _acked(cluster, acks_topic, set(ids)).keys()
                if not acked ^ set(ids):
                    break
                if len(acked) != seen:
                    seen, since = len(acked), time.monotonic()
                elif time.monotonic() - since > STALL_S:
                    break  # the requests it has not acked by now were lost
            thread.join(0.5)
        stop.set()
        thread.join(10)
        if successor:
            producer.flush(10)
        else:  # what a killed pod leaves: unsent acks gone, offsets as last committed
            producer.purge(in_queue=True, in_flight=True)
            producer.flush(1)
        consumer.close()
        if not successor and not run.crashed:
            break  # the loop never produced enough acks to crash: the caller reports it
    run.acks = _acked(cluster, acks_topic, set(ids))
    return run
