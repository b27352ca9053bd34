"""Small client helpers the lessons share: bounded consume loops and counted produce loops.

Every loop is bounded by a count and a deadline (nbgrader interrupts a cell after its timeout).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
        while True:
            try:
                producer.produce(topic, value=value, key=key, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    remaining = producer.flush(timeout)
    if failed or remaining:
        raise RuntimeError(f"{len(failed)} message(s) failed ({failed[:1]}), "
                           f"{remaining} not delivered within {timeout} s")
    return acked
