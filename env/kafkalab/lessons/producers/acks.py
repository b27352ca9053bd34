"""The acks experiment: topics led by a chosen broker, streams under a leader SIGKILL
(:func:`acks_under_failure`), and the graded :func:`durability_check`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.admin import NewTopic

from ...clients import send
from ...cluster import Cluster
from .audit import Audit, Stream, audit


def create_topic_led_by(cluster: Cluster, leader: int, replication_factor: int = 3,
                        min_insync_replicas: int = 2, prefix: str = "acks") -> str:
    """A one-partition topic whose preferred (first) replica, hence leader, is ``leader``."""
    others = [b for b in cluster.broker_ids if b != leader][:replication_factor - 1]
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    topic = NewTopic(name, num_partitions=1, replication_factor=-1,
                     replica_assignment=[[leader, *others]],
                     config={"min.insync.replicas": str(min_insync_replicas)})
    cluster.admin().create_topics([topic])[name].result(30)
    cluster.wait_until(lambda d: len(d.topic(name)) == 1 and d.leader(name, 0) == leader
                       and len(d.isr(name, 0)) == replication_factor,
                       what=f"{name} led by broker {leader}", topics=[name])
    return name


@dataclass
class AcksRun:
    leader: int  # the broker that was killed
    followers: list[int]
    streams: list[Stream]
    seconds: dict[str, float]  # how long each phase took
    audits: dict[str, Audit] = field(default_factory=dict)  # stream name -> audit


def _audit_all(cluster: Cluster, run: AcksRun, errors: list[BaseException]) -> None:
    try:
        for s in run.streams:
            run.audits[s.name] = audit(cluster, s)
    except BaseException as exc:  # re-raised in the caller's thread
        errors.append(exc)


def acks_under_failure(cluster: Cluster, configs: dict[str, dict[str, Any]], rate: int = 2000,
                       duration: float = 6.0, kill_after: float = 2.0, hiccup: float = 0.5,
                       leader: int | None = None, flush_timeout: float = 30.0,
                       progress: bool = True,
                       while_down: Callable[[], Any] | None = None) -> AcksRun:
    """Stream record ids 0, 1, 2, ... at ``rate``/s with every configuration at once (one topic
    each, all led by the same broker). ``hiccup`` s before ``kill_after`` the followers freeze
    (SIGSTOP, like a long GC pause: still in the ISR); at ``kill_after`` the leader is SIGKILLed
    and the followers resume. Streaming goes on until ``duration`` s; then every producer is
    flushed; every topic is read back and audited while the broker restarts and catches up.

    Returns the streams, their audits (:class:`Audit`) and the phases' durations.
    ``configs`` maps a name to producer overrides such as ``{"acks": "1"}``.
    """
    from tqdm.auto import tqdm

    if leader is None:  # avoid the KRaft active controller: its failover would add seconds
        ctrl = cluster.controller()
        leader = next((b for b in cluster.broker_ids if b != ctrl), cluster.broker_ids[0])
    followers = [b for b in cluster.broker_ids if b != leader]
    streams = []
    for name, conf in configs.items():
        topic = create_topic_led_by(cluster, leader)
        producer = Producer({**cluster.producer_config(), "message.timeout.ms": 20000,
                             "log_level": 0, **conf})
        streams.append(Stream(name, topic, conf, producer=producer))
    phase, rid, total = 0, 0, int(rate * duration)
    bar = tqdm(total=total, desc=f"streaming; broker {leader} dies at {kill_after:.1f} s",
               disable=not progress)
    start = time.monotonic()
    while rid < total:
        now = time.monotonic() - start
        if phase == 0 and hiccup > 0 and now >= kill_after - hiccup:
            for b in followers:
                cluster.broker(b).pause()
            phase = 1
        if phase < 2 and now >= kill_after:
            cluster.broker(leader).kill()
            for b in followers:
                cluster.broker(b).resume()
            phase = 2
        due = min(total, int(now * rate) + 1)
        for i in range(rid, due):
            for s in streams:
                _produce(s, i)
        bar.update(due - rid)
        rid = due
        for s in streams:
            s.producer.poll(0)
        time.sleep(0.002)
    bar.close()
    run = AcksRun(leader, followers, streams, {"streaming": time.monotonic() - start})
    mark = time.monotonic()
    for s in tqdm(streams, desc="waiting for delivery reports", disable=not progress):
        s.producer.flush(flush_timeout)
        s.producer = None
    run.seconds["flush"] = time.monotonic() - mark
    if while_down is not None:
        while_down()
    # Audit (read every topic back) in a thread while this thread restarts the broker.
    errors: list[BaseException] = []
    auditor = threading.Thread(target=_audit_all, args=(cluster, run, errors), daemon=True)
    auditor.start()
    mark = time.monotonic()
    cluster.broker(leader).start(timeout=90)
    for s in streams:
        cluster.wait_until_isr(s.topic, 0, size=len(cluster.broker_ids), timeout=90)
    run.seconds["restart and catch up"] = time.monotonic() - mark
    auditor.join(120)
    if errors:
        raise errors[0]
    if auditor.is_alive():
        raise TimeoutError("reading the topics back took more than 120 s")
    return run


def _produce(stream: Stream, rid: int) -> None:
    assert stream.producer is not None
    send(stream.producer, stream.topic, str(rid).encode(), wait=0.01, on_delivery=stream.report)
    stream.sent += 1


@dataclass
class DurabilityCheck:
    audit: Audit
    under_min_isr: str  # what a write to a topic left with 1 of 2 required replicas got


def durability_check(cluster: Cluster, config: dict[str, Any], rate: int = 1000,
                     duration: float = 4.0, kill_after: float = 1.5,
                     progress: bool = False) -> DurabilityCheck:
    """Grade a producer configuration on the cluster: stream with it while the partition leader
    is SIGKILLed (after a follower hiccup), audit the topic, and, while that broker is down,
    try one write to a topic whose min.insync.replicas=2 can no longer be met."""
    ctrl = cluster.controller()
    leader = next((b for b in cluster.broker_ids if b != ctrl), cluster.broker_ids[0])
    other = next(b for b in cluster.broker_ids if b != leader)
    name = f"minisr-{uuid.uuid4().hex[:8]}"
    spec = NewTopic(name, num_partitions=1, replication_factor=-1,
                    replica_assignment=[[other, leader]], config={"min.insync.replicas": "2"})
    cluster.admin().create_topics([spec])[name].result(30)
    cluster.wait_until_isr(name, 0, size=2)
    result: list[str] = []

    def while_down() -> None:
        cluster.wait_until_isr(name, 0, excludes=[leader], timeout=30)
        producer = Producer({**cluster.producer_config(), "log_level": 0, **config,
                             "message.timeout.ms": 4000})
        producer.produce(name, value=b"x", on_delivery=lambda err, _m: result.append(
            "acknowledged" if err is None else err.name()))
        producer.flush(10)

    run = acks_under_failure(cluster, {"yours": config}, rate, duration, kill_after,
                             leader=leader, progress=progress, while_down=while_down)
    return DurabilityCheck(run.audits["yours"], result[0] if result else "no delivery report")
