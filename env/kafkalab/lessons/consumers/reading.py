"""Reading a topic to its end, partition by partition, without a group."""

from __future__ import annotations

from ...clients import read_to_end
from ...cluster import Cluster


def read_topic(cluster: Cluster, topic: str, timeout: float = 30.0,
               ) -> list[tuple[int, int, bytes | None, bytes]]:
    """Every record of ``topic`` as (partition, offset, key, value), partition by partition,
    read up to each partition's high watermark (no group, no commits)."""
    return [(m.partition(), m.offset(), m.key(), m.value())
            for m in read_to_end(cluster.client_config(), topic, timeout)]
