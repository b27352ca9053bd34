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

from ...clients import FaultProxy, end_offsets, send, wait_until
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
    """What a producer configuration did under three faults (the exercise's graded run)."""

    refused: str  # "" or why the client refused the configuration (nothing else then ran)
    audit: Audit | None  # streaming while the partition leader was SIGKILLed
    retry: Audit | None  # streaming through a proxy that lost the first produce response
    under_min_isr: str  # what a write to a topic left with 1 of 2 required replicas got
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        if self.refused:
            return f"the client refused the configuration: {self.refused}"
        lines = []
        for label, a in (("leader killed", self.audit), ("first response lost", self.retry)):
            if a is not None:
                lines.append(f"{label:>20}: sent {a.sent}, acknowledged {a.acked}, failed "
                             f"{a.failed}, no report {a.unreported}, lost {a.lost}, duplicated "
                             f"{a.duplicated}, out of order {a.reordered}")
        lines.append(f"{'too few in-sync':>20}: {self.under_min_isr}")
        return "\n".join(lines)


def refusal(config: dict[str, Any]) -> str:
    """Why librdkafka refuses to build a producer with ``config`` ("" when it accepts it)."""
    try:
        Producer({"bootstrap.servers": "127.0.0.1:9", "log_level": 0, **config})
    except Exception as exc:  # KafkaException, TypeError, ValueError: all say why
        return str(exc.args[0] if exc.args else exc)
    return ""


def lost_response_stream(cluster: Cluster, config: dict[str, Any], records: int = 300,
                         timeout: float = 20.0) -> Audit:
    """Stream ``records`` numbered records with ``config`` through a :class:`FaultProxy` that
    lets the broker write the first produce request but throws its response away and closes the
    connection: the producer retries a batch the broker already holds, every time. Without
    idempotence the batch is stored twice; with it the broker recognises the retry."""
    topic = create_topic_led_by(cluster, cluster.broker_ids[0], prefix="lostack")
    with FaultProxy(cluster, drop_responses=1, lifetime=120) as proxy:
        producer = Producer({**cluster.producer_config(), "message.timeout.ms": 15000,
                             "log_level": 0, **config,
                             "bootstrap.servers": proxy.bootstrap_servers})
        stream = Stream("first response lost", topic, config, producer=producer)
        for i in range(records):
            _produce(stream, i)
            if i % 50 == 49:
                producer.poll(0)
        producer.flush(timeout)
        stream.producer = None
    # With acks=1 the leader answers before its followers copy: wait (briefly) until the high
    # watermark covers what was acknowledged, so that the audit reads what the log holds.
    try:
        wait_until(lambda: sum(end_offsets(cluster.client_config(), topic).values())
                   >= len(stream.acked), 10, "the followers to copy the acknowledged records")
    except TimeoutError:
        pass  # the audit reports what is readable
    return audit(cluster, stream)


def durability_check(cluster: Cluster, config: dict[str, Any], rate: int = 1000,
                     duration: float = 3.0, kill_after: float = 1.2,
                     progress: bool = False) -> DurabilityCheck:
    """Grade a producer configuration on the cluster, with every fault injected on purpose:

    1. stream through a proxy that loses the first produce response (a retry of a batch the
       broker holds: duplicates unless the producer is idempotent, failures if it never retries);
    2. stream while the partition leader is SIGKILLed after a 0.5 s follower freeze (acks=0 and
       acks=1 lose acknowledged records);
    3. while that broker is down, write one record to a topic whose ``min.insync.replicas=2``
       can no longer be met (acknowledged only when acks is not ``all``).
    """
    if not isinstance(config, dict):
        return DurabilityCheck(f"SAFE_PRODUCER_CONFIG is a {type(config).__name__}, not a dict",
                               None, None, "not tried")
    why = refusal(config)
    if why:
        return DurabilityCheck(why, None, None, "not tried")
    seconds = {}
    mark = time.monotonic()
    retry = lost_response_stream(cluster, config)
    seconds["lost response"] = time.monotonic() - mark
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
                             "message.timeout.ms": 3000})
        producer.produce(name, value=b"x", on_delivery=lambda err, _m: result.append(
            "acknowledged" if err is None else err.name()))
        producer.flush(10)

    mark = time.monotonic()
    run = acks_under_failure(cluster, {"yours": config}, rate, duration, kill_after,
                             leader=leader, progress=progress, while_down=while_down)
    seconds.update({"leader killed": time.monotonic() - mark, **run.seconds})
    return DurabilityCheck("", run.audits["yours"], retry,
                           result[0] if result else "no delivery report", seconds)
