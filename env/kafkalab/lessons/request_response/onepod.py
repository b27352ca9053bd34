"""One pod that owns several partitions: does a pod loop commit every record it served?
(a graded test of exercise 1).

The exercise's own run gives each pod one partition. :func:`one_pod_run` writes
``per_partition`` requests to each of ``partitions`` partitions of a fresh topic BEFORE one pod
starts, so the pod owns them all and finds them all waiting; it runs the student's pod loop
until every request has an ack (or ``timeout``) and, for at most 3 s more, until the group's
lag is 0, stops it, and measures that lag. A loop
that commits each record it served leaves none; one that commits only part of what it served
(the last record of a batch that spans several partitions, say) leaves the other partitions'
records uncommitted, and with more partitions than a batch can end in, some always are.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from confluent_kafka import Consumer, Producer

from ...clients import produce_all, read_to_end
from ...cluster import Cluster
from .lag import group_lag
from .workers import PodLoop


@dataclass
class OnePodRun:
    """What :func:`one_pod_run` saw: the request ids, those acknowledged, the group's lag on
    the requests' topic after the pod stopped, and the errors the pod loop raised."""

    requested: list[str]
    acked: set[str] = field(default_factory=set)
    lag: int = -1
    errors: list[str] = field(default_factory=list)


def _acked(cluster: Cluster, acks_topic: str, ids: set[str]) -> set[str]:
    keys = (m.key() for m in read_to_end(cluster.client_config(), acks_topic, timeout=15))
    return {k.decode() for k in keys if k is not None and k.decode() in ids}


def one_pod_run(cluster: Cluster, pod_loop: PodLoop, acks_topic: str, partitions: int = 6,
                per_partition: int = 2, timeout: float = 15.0) -> OnePodRun:
    """Run ``pod_loop`` as the only pod of a new group on ``partitions`` partitions holding
    ``per_partition`` requests each; return what it acknowledged and the lag it left."""
    topic = cluster.create_topic(prefix="one-pod-requests", partitions=partitions)
    group = f"one-pod-{uuid.uuid4().hex[:8]}"
    ids = [uuid.uuid4().hex for _ in range(partitions * per_partition)]
    writer = Producer(cluster.producer_config())
    produce_all(writer, topic, [json.dumps({"id": i, "t_accept": time.time()}) for i in ids],
                keys=ids, partitions=[k % partitions for k in range(len(ids))])
    run = OnePodRun(ids)
    consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
    consumer.subscribe([topic])
    producer = Producer(cluster.producer_config(linger_ms=2))
    stop = threading.Event()

    def pod() -> None:
        try:
            pod_loop(consumer, producer, stop)
        except Exception as exc:  # the student's loop failed on its own
            run.errors.append(repr(exc))

    thread = threading.Thread(target=pod, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while thread.is_alive() and time.monotonic() < deadline:
        thread.join(0.5)
        run.acked = _acked(cluster, acks_topic, set(ids))
        if len(run.acked) == len(ids):
            break
    # every request acked: give the loop a moment to commit the last of them
    settle = time.monotonic() + 3.0
    while thread.is_alive() and time.monotonic() < settle:
        if group_lag(cluster, topic, group) == 0:
            break
        thread.join(0.2)
    stop.set()
    thread.join(10)
    producer.flush(10)
    consumer.close()
    run.acked = _acked(cluster, acks_topic, set(ids))
    run.lag = group_lag(cluster, topic, group)
    return run
