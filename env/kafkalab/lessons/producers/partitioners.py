"""Where records go: librdkafka's CRC-32 and Java's murmur2 partitioners, and the partitions
keyless records land on."""

from __future__ import annotations

import time

from confluent_kafka import KafkaError, Message, Producer

from ...clients import crc32_partition

__all__ = ["crc32_partition", "keyless_partitions", "murmur2", "murmur2_partition"]


def _bytes(key: bytes | str) -> bytes:
    return key.encode() if isinstance(key, str) else key


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
