"""The docker backend: each broker and ZooKeeper server in its own container on one network.

Containers are made with the docker SDK and run ``java`` directly (any image with a Java on
PATH and Kafka's jars: the official ``apache/kafka`` image, or the one :mod:`kafkalab.image`
builds with no registry). The nodes come from the same plan as the local backend's
(:mod:`kafkalab.backends.plan`, with a :class:`ContainerLayout`); clients reach each broker on
``127.0.0.1:<host port>``, brokers reach each other by container name. A watchdog process
removes this process's containers when it dies, even by SIGKILL, and each start sweeps
containers whose owner process is gone.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ...exceptions import BrokerStartError, ClusterTimeoutError, KafkaLabError
from ...ports import check_port_free, free_port
from ...procs import startup_error
from ..base import find_node
from ..cache import has_own_archive
from ..plan import ClusterSpec, ContainerLayout, Mode, plan
from .engine import (
    DATA,
    HOME,
    LABEL,
    LABEL_CLUSTER,
    LABEL_OWNER,
    PORTS,
    SESSION,
    docker_available,
    engine_client,
    ensure_watchdog,
    owner,
    sweep_stale,
)
from .images import image_layout, kraft_template, resolve_image
from .node import DockerNode, create_container, kafka_answers, read_file, zookeeper_serving


class DockerBackend:
    """Realises a plan's NodeSpecs as containers (docker SDK) on one private network."""

    name = "docker"

    def __init__(self, spec: ClusterSpec, image: str | None = None,
                 ports: list[int] | None = None) -> None:
        docker_available()
        self.spec, self.mode, self.version = spec, spec.mode, spec.version
        self.client = engine_client()
        self.image = resolve_image(spec.mode, image, self.client)
        self.libs, self.cds = image_layout(self.client, self.image, self.version)
        for p in ports or []:
            check_port_free(p)
        if ports and len(ports) != spec.brokers:
            raise KafkaLabError(reason=f"ports= needs one port per broker ({spec.brokers}), "
                                f"got {ports}.", fix="give one port per broker, or none.")
        self.host = "127.0.0.1"
        self.prefix = f"kafka-lab-{SESSION}-{uuid.uuid4().hex[:4]}"
        self.layout = ContainerLayout(
            self.prefix, str(DATA),
            list(ports) if ports else [free_port() for _ in range(spec.brokers)],
            [free_port() for _ in range(spec.zookeeper_count)], host=self.host,
            client=PORTS["client"], internal=PORTS["internal"],
            controller=PORTS["controller"], zk=PORTS["zk"])
        self.network: Any = None
        self.closed = False
        self.security: dict[str, str] = {}
        self._quorum: tuple[float, dict | None] = (-1.0, None)
        bootstrap = (kraft_template(self.version, self.image, self.libs, self.client)
                     if spec.mode is Mode.KRAFT else None)
        cds = ([f"-XX:SharedArchiveFile={self.cds}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
               if self.cds and not os.environ.get("KAFKA_LAB_NO_CDS") else [])
        self.nodes = []
        for node in plan(spec, self.layout, bootstrap):
            extra = cds if node.kind == "broker" and not has_own_archive(node.jvm_flags) else []
            self.nodes.append(DockerNode(node.kind, node.node_id,
                                         self.layout.name(node.kind, node.node_id), node.port,
                                         node.files, node.java_args(str(HOME), self.libs, extra)))
        self.zookeeper_connect = (",".join(f"{self.host}:{p}" for p in self.layout.zk_host_ports)
                                  or None)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{self.host}:{n.port}" for n in self.nodes if n.kind == "broker")

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> None:
        sweep_stale(self.client)
        ensure_watchdog()
        labels = {LABEL: SESSION, LABEL_OWNER: owner(), LABEL_CLUSTER: self.prefix}
        self.network = self.client.networks.create(self.prefix, labels=labels)
        zks = [n for n in self.nodes if n.kind == "zookeeper"]
        brokers = [n for n in self.nodes if n.kind == "broker"]
        for group in (zks, brokers):  # a quorum starts together; brokers wait for ZooKeeper
            if group:
                with ThreadPoolExecutor(len(group)) as pool:
                    list(pool.map(lambda n: self._create(n, labels), group))
                self._wait_ready(group, timeout)

    def _create(self, node: DockerNode, labels: dict[str, str]) -> None:
        inner = PORTS["client"] if node.kind == "broker" else PORTS["zk"]
        create_container(self.client, self.image, node, self.network.name, labels, self.host,
                         inner, str(HOME))

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
        return find_node(self.nodes, kind, node_id)

    def _unpaused(self, kind: str, node_id: int) -> Any:
        n = self.node(kind, node_id)
        if n.status() == "paused":
            n.container.unpause()
        return n

    def kill(self, kind: str, node_id: int) -> None:
        n = self._unpaused(kind, node_id)
        if n.status() == "running":
            n.container.kill()
            n.container.wait(timeout=30)

    def stop(self, kind: str, node_id: int, timeout: float = 30.0) -> None:
        n = self._unpaused(kind, node_id)
        if n.status() == "running":
            n.container.stop(timeout=int(timeout))

    def pause(self, kind: str, node_id: int) -> None:
        n = self.node(kind, node_id)
        if n.status() == "running":
            n.container.pause()

    def resume(self, kind: str, node_id: int) -> None:
        self._unpaused(kind, node_id)

    def restart(self, kind: str, node_id: int, timeout: float = 60.0) -> None:
        self.start_many(kind, [node_id], timeout)

    def start_many(self, kind: str, ids: list[int], timeout: float = 60.0) -> None:
        """Start these containers at once and wait until each answers."""
        nodes = [self.node(kind, i) for i in ids]
        for n in nodes:
            if n.status() == "paused":
                n.container.unpause()
            elif n.status() != "running":
                n.container.start()
        self._wait_ready(nodes, timeout)

    def status(self, kind: str, node_id: int) -> str:
        """"running", "paused" or "down"."""
        state = self.node(kind, node_id).status()
        return state if state in ("running", "paused") else "down"

    def pid(self, kind: str, node_id: int) -> int | None:
        return None  # a container's processes are the engine's, not this machine's to signal

    def ports(self, kind: str, node_id: int) -> list[int]:
        return [self.node(kind, node_id).port]

    def node_rss(self, kind: str, node_id: int) -> int:
        return self._rss(self.node(kind, node_id))

    def running(self, kind: str, node_id: int) -> bool:
        return self.node(kind, node_id).status() in ("running", "paused")

    def log_tail(self, kind: str, node_id: int, lines: int = 30) -> str:
        return self.node(kind, node_id).log_tail(lines)

    def log_dir(self, kind: str, node_id: int) -> Path | None:
        return None  # inside the container's file system, not this machine's

    # ---- inspection ------------------------------------------------------------------------
    def statuses(self) -> dict[str, str]:
        """Every container's state (running, paused, exited...) by name, in one engine call."""
        # ignore_removed: a container removed between the engine's list and its inspection
        # (a watchdog or sweep at work) is simply gone, not an error
        found = self.client.containers.list(all=True, ignore_removed=True,
                                            filters={"label": f"{LABEL_CLUSTER}={self.prefix}"})
        return {c.name: c.status for c in found}

    def quorum_state(self) -> dict | None:
        """The KRaft leader as the running nodes' quorum-state files record it."""
        if self.mode is not Mode.KRAFT or self.closed:
            return None
        if time.monotonic() - self._quorum[0] < 0.5:  # reading files from containers is slow
            return self._quorum[1]
        up = self.statuses()
        nodes = [n for n in self.nodes if up.get(n.name) in ("running", "paused")]
        path = f"{DATA}/__cluster_metadata-0/quorum-state"
        with ThreadPoolExecutor(max(1, len(nodes))) as pool:
            raws = list(pool.map(lambda n: read_file(n.container, path), nodes))
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

    @staticmethod
    def _rss(n: DockerNode) -> int:
        """Memory one container uses, as `docker stats` counts it (usage minus inactive file)."""
        if n.status() not in ("running", "paused"):
            return 0
        mem = n.container.stats(stream=False, one_shot=True)["memory_stats"]
        stats = mem.get("stats", {})
        inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0))
        return max(0, int(mem.get("usage", 0)) - int(inactive))

    def rss_bytes(self) -> int:
        with ThreadPoolExecutor(max(1, len(self.nodes))) as pool:
            return sum(pool.map(self._rss, self.nodes))

    def state(self) -> dict:
        """A JSON-able record: the containers' names carry ``prefix``; label
        ``org.kafka-lab.cluster=<prefix>`` finds them all."""
        return {"backend": "docker", "mode": self.mode.value, "brokers": self.spec.brokers,
                "zookeepers": self.spec.zookeeper_count, "version": self.version,
                "image": self.image, "prefix": self.prefix,
                "bootstrap_servers": self.bootstrap_servers,
                "zookeeper_connect": self.zookeeper_connect,
                "nodes": [{"kind": n.kind, "id": n.node_id, "port": n.port, "container": n.name,
                           "pid": None} for n in self.nodes]}

    def close(self, keep_files: bool = False) -> None:
        """Remove every container and the network (``keep_files`` is ignored: use log_tail)."""
        if self.closed:
            return
        self.closed = True

        def remove(n: DockerNode) -> None:
            if n.container is not None:
                try:
                    n.container.remove(force=True, v=True)
                except Exception:
                    pass
        with ThreadPoolExecutor(max(1, len(self.nodes))) as pool:
            list(pool.map(remove, self.nodes))
        if self.network is not None:
            try:
                self.network.remove()
            except Exception:
                pass
