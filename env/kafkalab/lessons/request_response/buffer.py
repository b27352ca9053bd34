"""Kafka as a buffer has limits, shown live: the producer's own queue fills (``BufferError``),
records not acknowledged within ``message.timeout.ms`` are given up, and a topic keeps records
only for its ``retention.ms`` (:func:`retention_ms` asks the broker)."""

from __future__ import annotations

import time

from confluent_kafka import KafkaError, Producer

from ...cluster import Cluster
from ...exceptions import FaultInjectionUnavailableError


def fill_producer_queue(cluster: Cluster, topic: str, limit: int = 1000,
                        attempts: int = 100_000) -> int:
    """Produce without serving delivery reports into a producer whose queue holds ``limit``
    records; return how many it took before ``BufferError`` (``attempts`` if never)."""
    producer = Producer(cluster.producer_config(queue_buffering_max_messages=limit,
                                                linger_ms=1000))
    accepted = 0
    try:
        for i in range(attempts):
            producer.produce(topic, value=f"r{i}")
            accepted += 1
    except BufferError:
        pass
    finally:
        producer.purge()
        producer.flush(5)
    return accepted


def give_up_while_frozen(cluster: Cluster, topic: str, records: int = 5,
                         timeout_ms: int = 1000) -> list[str] | None:
    """Freeze the broker that leads ``topic``'s partition 0, produce ``records`` with
    ``message.timeout.ms=timeout_ms``, wait past it, thaw the broker; return the delivery
    errors (names). None when this cluster cannot freeze a broker (an external cluster)."""
    leader = cluster.leader(topic, 0)
    producer = Producer(cluster.producer_config(message_timeout_ms=timeout_ms))
    producer.list_topics(topic, timeout=10)  # metadata first: the freeze hits the produce
    errors: list[str] = []

    def report(err: KafkaError | None, _msg: object) -> None:
        if err is not None:
            errors.append(err.name())

    try:
        cluster.broker(leader).pause()
    except (FaultInjectionUnavailableError, KeyError):
        return None
    try:
        for i in range(records):
            producer.produce(topic, value=f"frozen-{i}", on_delivery=report)
        end = time.monotonic() + timeout_ms / 1000 + 3
        while len(errors) < records and time.monotonic() < end:
            producer.poll(0.1)
    finally:
        cluster.broker(leader).resume()
    producer.flush(10)
    return errors


def retention_ms(cluster: Cluster, topic: str, timeout: float = 10.0) -> int:
    """The topic's ``retention.ms`` as the broker reports it (its own or the broker default)."""
    return int(cluster.configs("topic", topic, timeout=timeout)["retention.ms"])
