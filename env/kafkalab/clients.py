"""The Kafka client idioms the lessons and the shop share, each written once.

* Producing: :func:`crc32_partition` (where a key goes), :func:`send` one record (waiting
  while the client's queue is full), :func:`produce_all` many on a producer you own,
  :func:`produce` with a producer of its own that returns what was acknowledged,
  :class:`AckedPublisher` for asyncio code (await the broker's acknowledgement).
* Reading: :func:`consume` (a bounded group read), :func:`read_to_end` (every record the topics
  hold now, no group), :func:`to_record`.
* Offsets: :func:`watermarks`, :func:`log_offsets`, :func:`end_offsets`,
  :func:`group_offsets`, :func:`group_lag`, :func:`committed_offsets`.
* Groups: :func:`group_settled` (every partition owned, every member busy that can be).
* Waiting: :func:`wait_until` (poll a predicate until it holds or a deadline passes).

Every loop is bounded by a count and a deadline (nbgrader interrupts a cell after its timeout).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)


@dataclass(frozen=True)
class Record:
    """A consumed message, as plain data (safe to keep after the consumer closes)."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: str | None
    timestamp_ms: int
    headers: dict[str, str]


def committed_offsets(consumer: Consumer, parts: list[TopicPartition], timeout: float = 120.0,
                      default: int = OFFSET_BEGINNING) -> list[TopicPartition]:
    """The group's committed offset of each partition (``default`` where none is committed),
    asked again until the group coordinator answers for every partition.

    Assigning these explicit offsets (in the on_assign callback) spares the client its own
    lookup, which librdkafka does not retry when it meets a group coordinator on the move
    (a broker just died or came back): the partition would then never be fetched (issue 5586).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = consumer.committed(parts, timeout=5)
            if all(tp.error is None for tp in got):
                return [TopicPartition(tp.topic, tp.partition,
                                       tp.offset if tp.offset >= 0 else default)
                        for tp in got]
            problem = next(str(tp.error) for tp in got if tp.error is not None)
        except KafkaException as exc:  # coordinator moving or down: ask again
            problem = str(exc)
        if time.monotonic() > deadline:
            raise TimeoutError(f"No committed offsets for {parts} after {timeout} s: {problem}")
        time.sleep(0.25)


# Errors a partition's leader gives while it is moving or catching up (after a broker died),
# and the client's own while a broker leaves and comes back (a request in flight to a broker
# the client has just dropped from its metadata fails with _DESTROY_BROKER): asking again a
# moment later gets the answer.
_PASSING = {KafkaError.OFFSET_NOT_AVAILABLE, KafkaError.LEADER_NOT_AVAILABLE,
            KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.NOT_COORDINATOR,
            KafkaError._TIMED_OUT, KafkaError._TRANSPORT, KafkaError.REQUEST_TIMED_OUT,
            KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._WAIT_COORD,
            KafkaError._DESTROY_BROKER, KafkaError._ALL_BROKERS_DOWN}


def watermarks(consumer: Consumer, tp: TopicPartition, timeout: float = 30.0) -> tuple[int, int]:
    """``(low, high)`` watermark offsets of one partition, asked again while its leader is
    moving: a newly elected leader answers OFFSET_NOT_AVAILABLE until its high watermark has
    caught up with the followers (KIP-207), which takes a moment after a broker is killed."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            return consumer.get_watermark_offsets(tp, timeout=max(1.0, min(10.0, left)))
        except KafkaException as exc:
            err = exc.args[0]
            if err.code() not in _PASSING:
                raise
            if time.monotonic() + 0.25 > deadline:
                raise TimeoutError(f"No watermark offsets for {tp.topic}[{tp.partition}] "
                                   f"within {timeout} s: {err.str()}. Is the partition "
                                   "without a leader (too many brokers down)?") from exc
        time.sleep(0.25)


def to_record(msg: Message) -> Record:
    key, value = msg.key(), msg.value()
    return Record(msg.topic(), msg.partition(), msg.offset(),
                  key.decode() if isinstance(key, bytes) else key,
                  value.decode() if isinstance(value, bytes) else value,
                  msg.timestamp()[1],
                  {k: (v.decode() if isinstance(v, bytes) else v) for k, v in msg.headers() or []})


def consume(config: dict[str, Any], topics: list[str], max_messages: int | None = None,
            timeout: float = 10.0, idle: float | None = 2.0) -> list[Record]:
    """Read from ``topics`` until ``max_messages``, ``timeout`` seconds, or ``idle`` seconds with
    nothing new (after the first message). A fresh group id is used unless ``config`` has one."""
    conf = {"group.id": f"reader-{uuid.uuid4().hex[:8]}", "auto.offset.reset": "earliest",
            "enable.auto.commit": False, **config}
    consumer = Consumer(conf)
    out: list[Record] = []
    try:
        default = OFFSET_END if conf["auto.offset.reset"] in ("latest", "largest", "end") \
            else OFFSET_BEGINNING
        consumer.subscribe(topics, on_assign=lambda c, parts: c.assign(
            committed_offsets(c, parts, timeout=timeout, default=default)))
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline and (max_messages is None or len(out) < max_messages):
            msg = consumer.poll(0.2)
            if msg is None:
                if out and idle is not None and time.monotonic() - last > idle:
                    break
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise RuntimeError(f"consume error: {msg.error()}")
            out.append(to_record(msg))
            last = time.monotonic()
    finally:
        consumer.close()
    return out


def produce(config: dict[str, Any], topic: str, values: Iterable[Any],
            keys: Iterable[Any] | None = None, timeout: float = 30.0) -> list[Record]:
    """Produce every value (str/bytes; keys optional), wait for every delivery report, and
    return what the broker acknowledged (partition and offset), in delivery order.
    Raises if any message failed."""
    producer = Producer(config)
    acked: list[Record] = []
    failed: list[str] = []

    def report(err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            failed.append(str(err))
        else:
            acked.append(to_record(msg))

    key_iter = iter(keys) if keys is not None else None
    for value in values:
        key = next(key_iter) if key_iter is not None else None
        send(producer, topic, value, key, on_delivery=report)
        producer.poll(0)
    remaining = producer.flush(timeout)
    if failed or remaining:
        raise RuntimeError(f"{len(failed)} message(s) failed ({failed[:1]}), "
                           f"{remaining} not delivered within {timeout} s")
    return acked


def send(producer: Producer, topic: str, value: Any = None, key: Any = None, *,
         wait: float = 0.05, **kwargs: Any) -> None:
    """Produce one record; while the client's local queue is full (``BufferError``), serve
    delivery reports for ``wait`` seconds and try again. ``kwargs`` go to ``produce``
    (``partition``, ``on_delivery``, ``headers``)."""
    while True:
        try:
            producer.produce(topic, value=value, key=key, **kwargs)
            return
        except BufferError:
            producer.poll(wait)


def produce_all(producer: Producer, topic: str, values: Iterable[Any],
                keys: Iterable[Any] | None = None, partitions: Iterable[int] | None = None,
                timeout: float = 60.0, wait: float = 0.05) -> int:
    """:func:`send` every value (with its key and partition when given), then flush; return
    how many were sent. Raises ``RuntimeError`` when some are still undelivered after
    ``timeout`` seconds (failed deliveries are the caller's delivery callback's business)."""
    key_iter = iter(keys) if keys is not None else None
    part_iter = iter(partitions) if partitions is not None else None
    count = 0
    for value in values:
        extra = {"partition": next(part_iter)} if part_iter is not None else {}
        send(producer, topic, value, next(key_iter) if key_iter is not None else None,
             wait=wait, **extra)
        count += 1
    left = producer.flush(timeout)
    if left:
        raise RuntimeError(f"{left} of {count} records to {topic} were not delivered within "
                           f"{timeout} s")
    return count


def crc32_partition(key: bytes | str, partitions: int) -> int:
    """The partition librdkafka's default ``consistent_random`` partitioner picks for a
    non-empty key: CRC-32 of the key bytes modulo the partition count."""
    return zlib.crc32(key.encode() if isinstance(key, str) else key) % partitions


class AckedPublisher:
    """A producer for asyncio code: ``await publish(...)`` returns once the brokers have
    acknowledged the record. Its delivery reports are served by a thread of its own.

    ``config`` is a full producer configuration (``cluster.producer_config(...)``), so a SASL
    or TLS cluster's settings are kept.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.producer = Producer(config)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="acked-publisher")
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.producer.poll(0.05)

    async def publish(self, topic: str, value: Any, key: Any = None,
                      timeout: float | None = 30.0, wait_when_full: bool = True) -> str | None:
        """Produce one record and wait for its delivery report: None once acknowledged, else
        what went wrong (the broker's error, no report within ``timeout`` seconds, or the
        client refusing the record; with ``wait_when_full=False`` a full local queue is
        refused at once instead of waited out)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()

        def report(err: KafkaError | None, _msg: Message) -> None:
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(err))

        while True:
            try:
                self.producer.produce(topic, key=key, value=value, on_delivery=report)
                break
            except BufferError as exc:
                if not wait_when_full:
                    return str(exc) or "the producer's queue is full"
                await asyncio.sleep(0.01)
            except Exception as exc:  # e.g. a record too large: refused, the caller decides
                return str(exc)
        try:
            err = await asyncio.wait_for(done, timeout)
        except Exception:  # asyncio.TimeoutError (not the builtin one before Python 3.11)
            return f"no acknowledgement within {timeout} s"
        return None if err is None else str(err)

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is still queued (up to ``timeout`` seconds), then stop polling."""
        self.producer.flush(timeout)
        self._stop.set()
        self._thread.join(timeout)


# ---- reading a topic to its end, offsets and lag -------------------------------------------
@contextmanager
def _reader(client: Consumer | dict[str, Any]) -> Iterator[Consumer]:
    """``client`` itself when it is a consumer, else a fresh consumer of that configuration
    (a throw-away group id unless it names one), closed afterwards."""
    if isinstance(client, Consumer):
        yield client
        return
    consumer = Consumer({"group.id": f"offsets-{uuid.uuid4().hex[:8]}", "log_level": 0,
                         **client, "enable.auto.commit": False})
    try:
        yield consumer
    finally:
        consumer.close()


def partitions(consumer: Consumer, topic: str, timeout: float = 10.0) -> list[int]:
    """The partition numbers of ``topic``, as the cluster's metadata lists them."""
    md = consumer.list_topics(topic, timeout=timeout).topics[topic]
    if md.error is not None:
        raise KeyError(f"No topic {topic!r} ({md.error}); create it first")
    return sorted(md.partitions)


def log_offsets(client: Consumer | dict[str, Any], topic: str,
                timeout: float = 30.0) -> dict[int, tuple[int, int]]:
    """``{partition: (log start offset, log end offset)}`` of ``topic`` now. ``client`` is a
    consumer or a client configuration (a consumer is made and closed for the question)."""
    with _reader(client) as consumer:
        return {p: watermarks(consumer, TopicPartition(topic, p), timeout)
                for p in partitions(consumer, topic)}


def end_offsets(client: Consumer | dict[str, Any], topic: str,
                timeout: float = 30.0) -> dict[int, int]:
    """Each partition's log end offset (high watermark) of ``topic`` now."""
    return {p: high for p, (_low, high) in log_offsets(client, topic, timeout).items()}


def group_offsets(client: Consumer | dict[str, Any], topic: str,
                  timeout: float = 10.0) -> dict[int, int]:
    """The committed offset of each partition of ``topic`` for the group named in ``client``
    (a consumer of that group, or a configuration with its ``group.id``); -1001 where none."""
    with _reader(client) as consumer:
        got = consumer.committed([TopicPartition(topic, p) for p in partitions(consumer, topic)],
                                 timeout=timeout)
        return {tp.partition: tp.offset for tp in got}


def group_lag(client: Consumer | dict[str, Any], topic: str,
              timeout: float = 30.0) -> dict[int, int]:
    """Per partition of ``topic``: records the group (named in ``client``) has not committed
    yet, the log end offset minus the committed offset (minus the log start offset where the
    group has committed nothing)."""
    with _reader(client) as consumer:
        done = group_offsets(consumer, topic, min(10.0, timeout))
        ends = log_offsets(consumer, topic, timeout)
        return {p: high - (done[p] if done.get(p, -1) >= 0 else low)
                for p, (low, high) in ends.items()}


def read_to_end(config: dict[str, Any], topics: str | list[str],
                timeout: float = 30.0) -> list[Message]:
    """Every record ``topics`` hold now: each partition read from its log start to the end it
    has when the read begins, without a consumer group (nothing is committed). Returns the
    messages (``.partition()``, ``.offset()``, ``.key()``, ``.value()``: bytes) ordered by
    topic (as given), partition and offset; raises ``TimeoutError`` naming the partitions not
    read to their end within ``timeout`` seconds."""
    names = [topics] if isinstance(topics, str) else list(topics)
    consumer = Consumer({**config, "group.id": f"read-{uuid.uuid4().hex[:8]}",
                         "enable.auto.commit": False, "log_level": 0})
    try:
        ends: dict[tuple[str, int], int] = {}
        starts = []
        for name in names:
            for p, (low, high) in log_offsets(consumer, name, timeout).items():
                if high > low:
                    ends[(name, p)] = high
                    starts.append(TopicPartition(name, p, low))
        consumer.assign(starts)
        out: list[Message] = []
        deadline = time.monotonic() + timeout
        while ends and time.monotonic() < deadline:
            for msg in consumer.consume(1000, 0.5):
                tp = (msg.topic(), msg.partition())
                if msg.error() or tp not in ends:
                    continue
                out.append(msg)
                if msg.offset() + 1 >= ends[tp]:
                    del ends[tp]
        if ends:
            raise TimeoutError(f"Partitions {sorted(ends)} were not read to their end within "
                               f"{timeout} s. Is a partition without a leader (brokers down)?")
    finally:
        consumer.close()
    order = {name: i for i, name in enumerate(names)}
    return sorted(out, key=lambda m: (order[m.topic()], m.partition(), m.offset()))


def group_settled(assigned: dict[Any, int], members: int, partitions: int) -> bool:
    """Whether a group's assignment is complete: ``assigned`` (member -> partitions it owns,
    kept up to date by on_assign/on_revoke callbacks) has every member, every partition is
    owned, and as many members as there are partitions to go round own one."""
    counts = list(assigned.values())
    return (len(counts) == members and sum(counts) == partitions
            and sum(1 for n in counts if n > 0) == min(members, partitions))


# ---- waiting -------------------------------------------------------------------------------
T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, what: str,
               interval: float = 0.05) -> T:
    """Call ``predicate`` every ``interval`` seconds until it returns something true, and
    return that. Raises ``TimeoutError`` ("... waiting for <what>") after ``timeout`` seconds;
    an exception the predicate raises ends the wait at once (it is how a predicate reports
    that the awaited thing can no longer happen)."""
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout} s waiting for {what}")
        time.sleep(interval)
