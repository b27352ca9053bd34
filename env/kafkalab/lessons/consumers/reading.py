"""Reading a topic to its end, partition by partition, without a group."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from ...clients import watermarks


def read_topic(cluster: Any, topic: str, timeout: float = 30.0,
               ) -> list[tuple[int, int, bytes | None, bytes]]:
    """Every record of ``topic`` as (partition, offset, key, value), partition by partition,
    read up to each partition's high watermark (no group, no commits)."""
    consumer = Consumer({**cluster.client_config(), "group.id": "read-topic",
                         "enable.auto.commit": False, "log_level": 0})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = {p: watermarks(consumer, TopicPartition(topic, p))[1]
                for p in parts}
        todo = {p for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
        out = []
        deadline = time.monotonic() + timeout
        while todo and time.monotonic() < deadline:
            for msg in consumer.consume(1000, 0.5):
                if msg.error():
                    continue
                out.append((msg.partition(), msg.offset(), msg.key(), msg.value()))
                if msg.offset() + 1 >= ends[msg.partition()]:
                    todo.discard(msg.partition())
        if todo:
            raise TimeoutError(f"read_topic({topic}): partitions {sorted(todo)} not read to "
                               f"their end within {timeout} s")
        return sorted(out, key=lambda r: (r[0], r[1]))
    finally:
        consumer.close()
