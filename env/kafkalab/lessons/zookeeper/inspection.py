"""Both modes: a broker's setting, the cluster's processes and ports, Kafka's
``kafka-metadata-quorum`` tool."""

from __future__ import annotations

from typing import Any


def broker_setting(cluster: Any, broker_id: int, name: str) -> str | None:
    """One broker configuration value as the broker reports it (admin DescribeConfigs)."""
    from confluent_kafka.admin import ConfigResource

    res = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
    configs = cluster.admin().describe_configs([res])[res].result(timeout=10)
    entry = configs.get(name)
    return None if entry is None else entry.value


def moving_parts(cluster: Any) -> list[dict[str, Any]]:
    """Each process of a local-backend cluster: kind, id, pid, listening TCP ports, memory."""
    import psutil

    nodes = getattr(cluster._backend, "nodes", None)
    if nodes is None:
        raise RuntimeError("moving_parts() needs a cluster started on this machine "
                           "(backend='local'); it reads the processes' ports and memory.")
    rows = []
    for n in nodes:
        if n.pid is None:
            continue
        proc = psutil.Process(n.pid)
        conns = proc.net_connections(kind="tcp")
        ports = sorted({c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN})
        rows.append({"process": f"{n.kind} {n.node_id}", "pid": n.pid,
                     "listening ports": ports, "MB resident": proc.memory_info().rss >> 20})
    return rows


def metadata_quorum(cluster: Any, *args: str, timeout: float = 60.0) -> str:
    """Run Kafka's own ``kafka-metadata-quorum`` tool (``describe --status`` by default)."""
    import subprocess

    from ...jars import ensure_jars
    from ...java import find_java

    libs = ensure_jars("kafka-4.4.0")
    cmd = [str(find_java()), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
           "-Dlog4j2.level=error", "-cp", str(libs / "*"),
           "org.apache.kafka.tools.MetadataQuorumCommand",
           "--bootstrap-server", cluster.bootstrap_servers, *(args or ("describe", "--status"))]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"kafka-metadata-quorum failed: {out.stderr.strip()[-400:]}")
    return out.stdout
