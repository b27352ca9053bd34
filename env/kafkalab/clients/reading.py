"""Reading: :func:`consume` (a bounded read in a consumer group) and :func:`read_to_end` (every
record some topics hold now, no group)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    Message,
    TopicPartition,
)

from .offsets import committed_offsets, log_offsets
from .records import Record, to_record


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


def read_to_end(config: dict[str, Any], topics: str | list[str],
                timeout: float = 30.0) -> list[Message]:
    """Every record ``topics`` hold now: each partition read from its log start to the end it
    has when the read begins (its high watermark, reached when the consumer's position is
    there: past a transaction's commit marker too), without a consumer group (nothing is
    committed). Returns the messages (``.partition()``, ``.offset()``, ``.key()``,
    ``.value()``: bytes) ordered by topic (as given), partition and offset; raises
    ``TimeoutError`` naming the partitions not read to their end within ``timeout`` seconds."""
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
        at = {(tp.topic, tp.partition): tp.offset for tp in starts}  # next offset to read
        deadline = time.monotonic() + timeout
        while ends and time.monotonic() < deadline:
            # consume() waits its whole timeout unless it gets all it asks for: ask for what
            # is left (offsets, an upper bound on records), so it returns once they are here
            left = sum(end - at[tp] for tp, end in ends.items())
            for msg in consumer.consume(max(1, min(1000, left)), 0.5):
                tp = (msg.topic(), msg.partition())
                if msg.error() or tp not in ends:
                    continue
                out.append(msg)
                at[tp] = msg.offset() + 1
            # done with a partition when the consumer's position reaches the end: a partition
            # a transactional producer wrote ends with a commit marker, a record no consumer
            # receives, so its last message's offset + 1 stays below the end
            for tp in consumer.position([TopicPartition(t, p) for t, p in ends]):
                if tp.offset >= 0:
                    at[(tp.topic, tp.partition)] = max(at[(tp.topic, tp.partition)], tp.offset)
            for tp in [tp for tp, end in ends.items() if at[tp] >= end]:
                del ends[tp]
        if ends:
            raise TimeoutError(f"Partitions {sorted(ends)} were not read to their end within "
                               f"{timeout} s. Is a partition without a leader (brokers down)?")
    finally:
        consumer.close()
    order = {name: i for i, name in enumerate(names)}
    return sorted(out, key=lambda m: (order[m.topic()], m.partition(), m.offset()))
