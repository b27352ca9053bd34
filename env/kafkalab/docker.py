"""The docker backend: each broker and ZooKeeper server in its own container on one network.

Containers are generic testcontainers ``DockerContainer``s running ``java`` directly (any image
with a Java on PATH and Kafka's jars: the official ``apache/kafka`` image, or the one
``python -m kafkalab.docker_image build`` makes with no registry). Brokers get the same
properties as the local backend (:mod:`kafkalab.config`); clients reach each broker on
``127.0.0.1:<host port>``, brokers reach each other by container name. Testcontainers' reaper
image (Ryuk) is not used: a watchdog process removes this process's containers when it dies,
even by SIGKILL, and each start sweeps containers whose owner process is gone.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._docker_engine import (
    DATA,
    HOME,
    LABEL,
    LABEL_CLUSTER,
    LABEL_OWNER,
    PORTS,
    SESSION,
    _client,
    _ensure_watchdog,
    _owner,
    _tc_env,
    docker_available,
    sweep_stale,
)
from ._docker_node import DockerNode, kafka_answers, read_file, zookeeper_serving
from ._docker_plan import DockerPlan
from ._docker_resolve import image_layout, resolve_image
from .exceptions import BrokerStartError, ClusterTimeoutError, KafkaLabError
from .jars import KAFKA_VERSION, KAFKA_ZK_VERSION
from .ports import check_port_free, free_port
from .procs import startup_error

__all__ = [
    "DATA", "HOME", "LABEL", "LABEL_CLUSTER", "LABEL_OWNER", "PORTS", "SESSION",
    "DockerBackend", "DockerNode", "docker_available", "kafka_answers", "read_file",
    "sweep_stale", "zookeeper_serving",
]


class DockerBackend(DockerPlan):
    name = "docker"

    def __init__(self, brokers: int = 1, mode: str = "kraft", zookeepers: int = 1,
                 heap_mb: int = 256, broker_config: dict[str, str] | None = None,
                 image: str | None = None, ports: list[int] | None = None) -> None:
        docker_available()
        _tc_env()
        self.brokers, self.mode, self.zookeepers, self.heap_mb = brokers, mode, zookeepers, heap_mb
        self.broker_config = dict(broker_config or {})
        self.version = KAFKA_VERSION if mode == "kraft" else KAFKA_ZK_VERSION
        self.client = _client()
        self.image = resolve_image(mode, image, self.client)
        self.libs, self.cds = image_layout(self.client, self.image, self.version)
        for p in ports or []:
            check_port_free(p)
        if ports and len(ports) != brokers:
            raise KafkaLabError(f"ports= needs one port per broker ({brokers}), got {ports}")
        self.ports = list(ports) if ports else [free_port() for _ in range(brokers)]
        self.host = "127.0.0.1"
        self.nodes: list[DockerNode] = []
        self.network: Any = None
        self.zookeeper_connect: str | None = None
        self.closed = False
        self._quorum: tuple[float, dict | None] = (-1.0, None)
        self._plan()

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> None:
        from testcontainers.core.network import Network

        sweep_stale(self.client)
        _ensure_watchdog()
        labels = {LABEL: SESSION, LABEL_OWNER: _owner(), LABEL_CLUSTER: self.prefix}
        self.network = Network(docker_network_kw={"labels": labels}).create()
        zks = [n for n in self.nodes if n.kind == "zookeeper"]
        brokers = [n for n in self.nodes if n.kind == "broker"]
        for group in (zks, brokers):  # a quorum starts together; brokers wait for ZooKeeper
            if group:
                with ThreadPoolExecutor(len(group)) as pool:
                    list(pool.map(lambda n: self._create(n, labels), group))
                self._wait_ready(group, timeout)

    def _create(self, node: DockerNode, labels: dict[str, str]) -> None:
        from testcontainers.core.config import testcontainers_config
        from testcontainers.core.container import DockerContainer

        if os.environ.get("TESTCONTAINERS_RYUK_DISABLED", "true").lower() == "true":
            testcontainers_config.ryuk_disabled = True
        inner = PORTS["client"] if node.kind == "broker" else PORTS["zk"]
        c = DockerContainer(self.image, name=node.name, network=self.network,
                            network_aliases=[node.name], command=node.cmd)
        c.ports[f"{inner}/tcp"] = (self.host, node.port)  # type: ignore[assignment]
        c.with_kwargs(entrypoint=["java"], user="0", labels=labels, hostname=node.name,
                      working_dir=str(HOME))
        for rel, data in node.files.items():
            c.with_copy_into_container(data, f"{HOME}/{rel}", 0o666)
        node.container = c
        c.start()

    def _ready(self, node: DockerNode) -> bool:
        probe = kafka_answers if node.kind == "broker" else zookeeper_serving
        return probe(self.host, node.port)

    def _wait_ready(self, nodes: list[DockerNode], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(nodes)
        while pending:
            for n in list(pending):
                if self._ready(n):
                    pending.remove(n)
                elif n.status() not in ("running", "created", "restarting"):
                    cause = startup_error(n.log_tail(400))
                    raise BrokerStartError(f"{n.kind}-{n.node_id} (container {n.name})",
                                           f"its container is {n.status()}"
                                           + (f" ({cause[:500]})" if cause else ""),
                                           n.log_tail(), f"docker logs {n.name}")
            if pending and time.monotonic() > deadline:
                n = pending[0]
                raise ClusterTimeoutError(f"{n.kind}-{n.node_id} (container {n.name}) to answer "
                                          f"on {self.host}:{n.port}", timeout,
                                          f"Its log (docker logs {n.name}):\n{n.log_tail()}")
            time.sleep(0.05)

    # ---- faults ----------------------------------------------------------------------------
    def node(self, kind: str, node_id: int) -> DockerNode:
        for n in self.nodes:
            if n.kind == kind and n.node_id == node_id:
                return n
        ids = [n.node_id for n in self.nodes if n.kind == kind]
        raise KeyError(f"No {kind} with id {node_id}; this cluster has {kind}s {ids}")

    def _unpaused(self, kind: str, node_id: int) -> Any:
        n = self.node(kind, node_id)
        if n.status() == "paused":
            n.container._container.unpause()
        return n

    def kill(self, kind: str, node_id: int) -> None:
        n = self._unpaused(kind, node_id)
        if n.status() == "running":
            n.container._container.kill()
            n.container._container.wait(timeout=30)

    def stop(self, kind: str, node_id: int, timeout: float = 30.0) -> None:
        n = self._unpaused(kind, node_id)
        if n.status() == "running":
            n.container._container.stop(timeout=int(timeout))

    def pause(self, kind: str, node_id: int) -> None:
        n = self.node(kind, node_id)
        if n.status() == "running":
            n.container._container.pause()

    def resume(self, kind: str, node_id: int) -> None:
        self._unpaused(kind, node_id)

    def restart(self, kind: str, node_id: int, timeout: float = 60.0) -> None:
        n = self.node(kind, node_id)
        if n.status() in ("running", "paused"):
            return
        n.container._container.start()
        self._wait_ready([n], timeout)

    def running(self, kind: str, node_id: int) -> bool:
        return self.node(kind, node_id).status() in ("running", "paused")

    def log_tail(self, kind: str, node_id: int, lines: int = 30) -> str:
        return self.node(kind, node_id).log_tail(lines)

    # ---- inspection ------------------------------------------------------------------------
    def statuses(self) -> dict[str, str]:
        """Every container's state (running, paused, exited...) by name, in one engine call."""
        found = self.client.containers.list(all=True,
                                            filters={"label": f"{LABEL_CLUSTER}={self.prefix}"})
        return {c.name: c.status for c in found}

    def quorum_state(self) -> dict | None:
        """The KRaft leader as the running nodes' quorum-state files record it."""
        if self.mode != "kraft" or self.closed:
            return None
        if time.monotonic() - self._quorum[0] < 0.5:  # reading files from containers is slow
            return self._quorum[1]
        up = self.statuses()
        nodes = [n for n in self.nodes if up.get(n.name) in ("running", "paused")]
        path = f"{DATA}/__cluster_metadata-0/quorum-state"
        with ThreadPoolExecutor(max(1, len(nodes))) as pool:
            raws = list(pool.map(lambda n: read_file(n.container._container, path), nodes))
        best: dict | None = None
        for raw in raws:
            try:
                state = json.loads(raw or b"")
            except ValueError:
                continue
            if best is None or state.get("leaderEpoch", -1) > best["leaderEpoch"]:
                best = {"leaderId": state.get("leaderId", -1),
                        "leaderEpoch": state.get("leaderEpoch", -1)}
        self._quorum = (time.monotonic(), best)
        return best

    def rss_bytes(self) -> int:
        """Memory the containers use, as `docker stats` counts it (usage minus inactive file)."""
        def one(n: DockerNode) -> int:
            if n.status() not in ("running", "paused"):
                return 0
            mem = n.container._container.stats(stream=False, one_shot=True)["memory_stats"]
            stats = mem.get("stats", {})
            inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0))
            return max(0, int(mem.get("usage", 0)) - int(inactive))
        with ThreadPoolExecutor(max(1, len(self.nodes))) as pool:
            return sum(pool.map(one, self.nodes))

    def close(self, keep_files: bool = False) -> None:
        """Remove every container and the network (``keep_files`` is ignored: use log_tail)."""
        if self.closed:
            return
        self.closed = True

        def remove(n: DockerNode) -> None:
            if n.container is not None and n.container._container is not None:
                try:
                    n.container._container.remove(force=True, v=True)
                except Exception:
                    pass
        with ThreadPoolExecutor(max(1, len(self.nodes))) as pool:
            list(pool.map(remove, self.nodes))
        if self.network is not None:
            try:
                self.network.remove()
            except Exception:
                pass
