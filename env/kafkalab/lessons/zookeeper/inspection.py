"""Both modes: a broker's setting, the cluster's processes and ports, Kafka's
``kafka-metadata-quorum`` tool."""

from __future__ import annotations

from typing import Any

from ...cluster import Cluster


def broker_setting(cluster: Cluster, broker_id: int, name: str) -> str | None:
    """One broker configuration value as the broker reports it (admin DescribeConfigs)."""
    return cluster.configs("broker", broker_id, timeout=10).get(name)


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


def open_log_files(pid: int | None) -> list[str]:
    """The partition log files (``.log``, ``.index``, ``.timeindex``) the process ``pid`` has
    open, as ``<partition folder>/<file>`` (empty when it has none or cannot be read)."""
    import psutil

    if pid is None:
        return []
    try:
        files = psutil.Process(pid).open_files()
    except (psutil.Error, OSError):
        return []
    import re

    segment = re.compile(r".+-\d+/\d{20}\.(log|index|timeindex)$")  # <topic>-<p>/<offset>.log
    return sorted({"/".join(f.path.split("/")[-2:]) for f in files if segment.match(f.path)})


def set_quotas(cluster: Cluster, user: str, client_id: str, ip: str) -> None:
    """Set one quota per kind of entity with Kafka's kafka-configs tool (the Python client has
    no quota API): a producer byte rate for ``User:<user>``, a consumer byte rate for the
    client id, a connection-creation rate for the IP address."""
    main = ("kafka.admin.ConfigCommand" if cluster.version.startswith("3.")
            else "org.apache.kafka.tools.ConfigCommand")
    from concurrent.futures import ThreadPoolExecutor

    jobs = [("users", user, "producer_byte_rate=1048576"),
            ("clients", client_id, "consumer_byte_rate=2097152"),
            ("ips", ip, "connection_creation_rate=50")]
    with ThreadPoolExecutor(len(jobs)) as pool:  # three JVMs at once
        for done in [pool.submit(cluster.run_tool, main, "--alter", "--entity-type", kind,
                                 "--entity-name", name, "--add-config", config)
                     for kind, name, config in jobs]:
            done.result()
