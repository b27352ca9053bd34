"""Where partitions start and end and where a group stands: :func:`watermarks` (asked again
while a leader moves), :func:`log_offsets`, :func:`end_offsets`, :func:`group_offsets`,
:func:`group_lag`, :func:`committed_offsets` (for an on_assign callback), :func:`partitions`.

The functions taking ``client`` accept a consumer (reused) or a client configuration (a consumer
is made for the question and closed)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition


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
