"""Lesson 03 support: where keyed records go, what acks cost, and what they protect.

* :func:`crc32_partition` / :func:`murmur2_partition` compute what librdkafka's
  ``consistent_random`` (the default) and ``murmur2_random`` (Java's choice) partitioners pick.
* :func:`acks_under_failure` streams numbered records with several producer configurations at
  once, SIGKILLs the partition leader mid-stream, and :class:`Audit` counts what was
  acknowledged but lost, duplicated or reordered.
* :func:`bench` measures throughput and delivery latency of one producer configuration.
"""

from __future__ import annotations

import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import (
    KafkaError,
    Message,
    Producer,
)
from confluent_kafka.admin import NewTopic

from .consumers import read_topic

# ---- partitioners ------------------------------------------------------------------------


def _bytes(key: bytes | str) -> bytes:
    return key.encode() if isinstance(key, str) else key


def crc32_partition(key: bytes | str, partitions: int) -> int:
    """librdkafka's default ``consistent_random`` partitioner for a non-empty key:
    CRC-32 of the key bytes modulo the partition count."""
    return zlib.crc32(_bytes(key)) % partitions


def murmur2(data: bytes) -> int:
    """Kafka's 32-bit murmur2 (seed 0x9747b28c), as in Java's ``Utils.murmur2``."""
    m, r = 0x5BD1E995, 24
    length = len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = length % 4
    base = length - tail
    if tail == 3:
        h ^= data[base + 2] << 16
    if tail >= 2:
        h ^= data[base + 1] << 8
    if tail >= 1:
        h ^= data[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def murmur2_partition(key: bytes | str, partitions: int) -> int:
    """The Java client's default for keyed records (and librdkafka's ``murmur2_random``)."""
    return (murmur2(_bytes(key)) & 0x7FFFFFFF) % partitions


def keyless_partitions(producer: Producer, topic: str, records: int,
                       gap: float = 0.0) -> list[int]:
    """Produce ``records`` keyless records (``gap`` s apart) and return the partition of each,
    in production order, from the delivery reports."""
    where: dict[int, int] = {}

    def report(err: KafkaError | None, msg: Message) -> None:
        if err is None:
            where[int(msg.value())] = msg.partition()

    for i in range(records):
        if gap:
            time.sleep(gap)
        producer.produce(topic, value=str(i).encode(), on_delivery=report)
        producer.poll(0)
    producer.flush(30)
    return [where[i] for i in range(records) if i in where]


# ---- topics ---------------------------------------------------------------------------------


def create_topic_led_by(cluster: Any, leader: int, replication_factor: int = 3,
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


# ---- the acks experiment ----------------------------------------------------------------------


@dataclass
class Stream:
    """One producer's side of the experiment: what it sent and what it was told."""

    name: str
    topic: str
    config: dict[str, Any]
    sent: int = 0
    acked: dict[int, int] = field(default_factory=dict)  # record id -> offset reported
    failed: dict[int, str] = field(default_factory=dict)  # record id -> error
    latencies: list[float] = field(default_factory=list)
    producer: Producer | None = None

    def report(self, err: KafkaError | None, msg: Message) -> None:
        rid = int(msg.value())
        if err is not None:
            self.failed[rid] = err.name()
        else:
            offset = msg.offset()  # None with acks=0: the broker never answers
            self.acked[rid] = -1 if offset is None else offset
            self.latencies.append(msg.latency())


@dataclass
class Audit:
    """What the topic holds compared with what the producer was told."""

    name: str
    sent: int
    acked: int
    failed: int
    unreported: int
    lost: int  # acknowledged, yet not in the log
    duplicated: int  # extra copies in the log
    reordered: int  # records stored after a record with a higher id
    no_offset: int  # delivery reports without an offset (acks=0)
    wrong_offset: int  # reports whose offset is not where the record is in the log
    p50_ms: float
    p99_ms: float

    def as_row(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return 1000 * s[min(len(s) - 1, int(q * len(s)))]


def audit(cluster: Any, stream: Stream, timeout: float = 60.0) -> Audit:
    """Read the whole topic back and compare it with the delivery reports."""
    log = read_topic(cluster, stream.topic, timeout)
    ids = [int(v) for _p, _o, _k, v in log]
    where: dict[int, set[int]] = {}
    for _p, o, _k, v in log:
        where.setdefault(int(v), set()).add(o)
    seen = Counter(ids)
    high, reordered = -1, 0
    for rid in ids:
        reordered += rid < high
        high = max(high, rid)
    return Audit(stream.name, stream.sent, len(stream.acked), len(stream.failed),
                 stream.sent - len(stream.acked) - len(stream.failed),
                 sum(1 for rid in stream.acked if rid not in seen),
                 sum(c - 1 for c in seen.values()), reordered,
                 sum(1 for o in stream.acked.values() if o < 0),
                 sum(1 for rid, o in stream.acked.items() if rid in where and o not in where[rid]),
                 _pct(stream.latencies, 0.5), _pct(stream.latencies, 0.99))


@dataclass
class AcksRun:
    leader: int  # the broker that was killed
    followers: list[int]
    streams: list[Stream]
    seconds: dict[str, float]  # how long each phase took
    audits: dict[str, Audit] = field(default_factory=dict)  # stream name -> audit


def _audit_all(cluster: Any, run: AcksRun, errors: list[BaseException]) -> None:
    try:
        for s in run.streams:
            run.audits[s.name] = audit(cluster, s)
    except BaseException as exc:  # re-raised in the caller's thread
        errors.append(exc)


def acks_under_failure(cluster: Any, configs: dict[str, dict[str, Any]], rate: int = 2000,
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
    # Audit (read every topic back) in a thread while this thread restarts the broker: a node
    # must be started from a thread that outlives it (the JVM gets PR_SET_PDEATHSIG).
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
    while True:
        try:
            stream.producer.produce(stream.topic, value=str(rid).encode(),
                                    on_delivery=stream.report)
            stream.sent += 1
            return
        except BufferError:
            stream.producer.poll(0.01)


# ---- throughput --------------------------------------------------------------------------------


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


def bench(cluster: Any, topic: str, messages: int = 20000, size: int = 200,
          **config: Any) -> Bench:
    """Produce ``messages`` records of ``size`` bytes as fast as possible; time until the last
    delivery report. ``config`` are librdkafka properties (``{"linger.ms": 5}``)."""
    import json

    stats: list[dict] = []
    conf = {**cluster.producer_config(), "statistics.interval.ms": 100, "log_level": 0,
            "stats_cb": lambda s: stats.append(json.loads(s)), **config}
    producer = Producer(conf)
    errors: list[str] = []

    def report(err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            errors.append(err.name())

    data = [payload(i, size) for i in range(messages)]
    start = time.perf_counter()
    for value in data:
        while True:
            try:
                producer.produce(topic, value=value, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.001)
    left = producer.flush(60)
    seconds = time.perf_counter() - start
    if errors or left:
        raise RuntimeError(f"bench: {len(errors)} failed ({errors[:1]}), {left} undelivered")
    producer.poll(0.25)  # let one more statistics report arrive
    wire = max((sum(b["txbytes"] for n, b in s["brokers"].items() if not n.startswith("GroupCoord"))
                for s in stats), default=0)
    return Bench(config, messages, seconds, sum(len(v) for v in data), wire)


def latency_probe(cluster: Any, topic: str, messages: int = 200, **config: Any) -> list[float]:
    """Send records one at a time, each flushed before the next: the delivery latency (s) of a
    lone record, with no batching or queueing in the way."""
    producer = Producer({**cluster.producer_config(), "linger.ms": 0, "log_level": 0, **config})
    out: list[float] = []

    def report(err: KafkaError | None, msg: Message) -> None:
        if err is None:
            out.append(msg.latency())

    for i in range(messages):
        producer.produce(topic, value=str(i).encode(), on_delivery=report)
        producer.flush(10)
    return out


@dataclass
class DurabilityCheck:
    audit: Audit
    under_min_isr: str  # what a write to a topic left with 1 of 2 required replicas got


def durability_check(cluster: Any, config: dict[str, Any], rate: int = 1000,
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
