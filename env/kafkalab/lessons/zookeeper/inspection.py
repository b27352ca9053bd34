"""Both modes: a broker's setting, the cluster's processes and ports, Kafka's
``kafka-metadata-quorum`` tool."""

from __future__ import annotations

from typing import Any

from ...cluster import Cluster


def broker_setting(cluster: Cluster, broker_id: int, name: str) -> str | None:
    """One broker configuration value as the broker reports it (admin DescribeConfigs)."""
    from confluent_kafka.admin import ConfigResource

    res = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
    configs = cluster.admin().describe_configs([res])[res].result(timeout=10)
    entry = configs.get(name)
    return None if entry is None else entry.value


def moving_parts(cluster: Cluster) -> list[dict[str, Any]]:
    """Each process of a local-backend cluster: kind, id, pid, listening TCP ports, memory."""
    if cluster.backend != "local":
        raise RuntimeError("moving_parts() needs a cluster started on this machine "
                           "(backend='local'); it reads the processes' ports and memory.")
    return [{"process": f"{n.kind} {n.id}", "pid": n.pid, "listening ports": sorted(n.ports),
             "MB resident": n.memory_bytes() >> 20}
            for n in cluster.nodes if n.pid is not None]


def metadata_quorum(cluster: Cluster, *args: str, timeout: float = 60.0) -> str:
    """Run Kafka's own ``kafka-metadata-quorum`` tool (``describe --status`` by default) on
    the cluster's own Kafka jars (KRaft clusters only)."""
    return cluster.run_tool("org.apache.kafka.tools.MetadataQuorumCommand",
                            *(args or ("describe", "--status")), timeout=timeout).stdout
