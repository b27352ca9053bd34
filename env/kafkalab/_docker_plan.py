"""The docker backend's configuration: each node's files and java command line."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from . import config
from ._docker_engine import DATA, HOME, PORTS, SESSION
from ._docker_node import DockerNode
from ._docker_resolve import kraft_template
from .local import KAFKA_MAIN, ZK_MAIN
from .ports import free_port
from .warmup import new_uuid


class DockerPlan:
    """Mixin of DockerBackend: plans its nodes from the attributes its __init__ sets."""

    version: str
    mode: str
    brokers: int
    zookeepers: int
    heap_mb: int
    broker_config: dict[str, str]
    image: str
    libs: str
    cds: str | None
    client: Any
    ports: list[int]
    host: str
    nodes: list[DockerNode]
    zookeeper_connect: str | None
    prefix: str

    # ---- configuration -------------------------------------------------------------------
    def _java(self, main: str, conf: str, heap: int) -> list[str]:
        if self.version.startswith("4"):
            log = f"-Dlog4j2.configurationFile={HOME}/log4j2.properties"
        else:
            log = f"-Dlog4j.configuration=file:{HOME}/log4j.properties"
        cds = [f"-XX:SharedArchiveFile={self.cds}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"] \
            if self.cds and main == KAFKA_MAIN and not os.environ.get("KAFKA_LAB_NO_CDS") else []
        return [f"-Xms{min(64, heap)}m", f"-Xmx{heap}m", *config.JVM_FLAGS, *cds, log,
                "-cp", f"{self.libs}/*", main, conf]

    def _logs(self) -> dict[str, bytes]:
        if self.version.startswith("4"):
            return {"log4j2.properties": config.LOG4J2.encode()}
        return {"log4j.properties": config.LOG4J1.encode()}

    @staticmethod
    def _props(props: dict[str, str]) -> bytes:
        return "".join(f"{k}={v}\n" for k, v in props.items()).encode()

    def _listeners(self, name: str, port: int, controller: bool) -> dict[str, str]:
        cp = PORTS["client"]
        listeners = f"PLAINTEXT://0.0.0.0:{cp},INTERNAL://0.0.0.0:{PORTS['internal']}"
        pmap = "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT"
        if controller:
            listeners += f",CONTROLLER://0.0.0.0:{PORTS['controller']}"
            pmap += ",CONTROLLER:PLAINTEXT"
        return {"listeners": listeners, "listener.security.protocol.map": pmap,
                "advertised.listeners": f"PLAINTEXT://{self.host}:{port},"
                                        f"INTERNAL://{name}:{PORTS['internal']}",
                "inter.broker.listener.name": "INTERNAL"}

    def _plan(self) -> None:
        self.prefix = f"kafka-lab-{SESSION}-{uuid.uuid4().hex[:4]}"
        log = self._logs()
        if self.mode == "kraft":
            names = [f"{self.prefix}-broker-{i}" for i in range(1, self.brokers + 1)]
            voters = ",".join(f"{i}@{n}:{PORTS['controller']}" for i, n in enumerate(names, 1))
            template = kraft_template(self.version, self.image, self.libs, self.client)
            cluster_id = new_uuid()
            for i, (name, port) in enumerate(zip(names, self.ports, strict=True), 1):
                props = config.kraft_broker(
                    i, PORTS["client"], PORTS["controller"], voters, DATA, self.brokers,
                    extra={**self._listeners(name, port, True), **self.broker_config})
                meta = {"version": "1", "node.id": str(i), "directory.id": new_uuid(),
                        "cluster.id": cluster_id}
                files = {"server.properties": self._props(props), **log,
                         "data/meta.properties": self._props(meta),
                         **{f"data/__cluster_metadata-0/{k}": v for k, v in template.items()}}
                self.nodes.append(DockerNode("broker", i, name, port, files, self._java(
                    KAFKA_MAIN, f"{HOME}/server.properties", self.heap_mb)))
            return
        zk_names = [f"{self.prefix}-zookeeper-{i}" for i in range(1, self.zookeepers + 1)]
        peers = [(i, 2888, 3888) for i in range(1, self.zookeepers + 1)]
        zk_ports = [free_port() for _ in zk_names]
        for i, (name, port) in enumerate(zip(zk_names, zk_ports, strict=True), 1):
            with tempfile.TemporaryDirectory() as tmp:
                props = config.zookeeper(i, PORTS["zk"], Path(tmp), peers, host="0.0.0.0")
                myid = {"data/myid": (Path(tmp) / "myid").read_bytes()} \
                    if (Path(tmp) / "myid").exists() else {}
            props["dataDir"] = str(DATA)
            for pid, q, e in peers if len(peers) > 1 else []:
                props[f"server.{pid}"] = f"{zk_names[pid - 1]}:{q}:{e}"
            files = {"zoo.cfg": self._props(props), **log, **myid}
            self.nodes.append(DockerNode("zookeeper", i, name, port, files,
                                         self._java(ZK_MAIN, f"{HOME}/zoo.cfg", 128)))
        self.zookeeper_connect = ",".join(f"{self.host}:{p}" for p in zk_ports)
        inside = ",".join(f"{n}:{PORTS['zk']}" for n in zk_names)
        for i, port in enumerate(self.ports, 1):
            name = f"{self.prefix}-broker-{i}"
            props = config.zk_broker(i, PORTS["client"], inside, DATA, self.brokers,
                                     extra={**self._listeners(name, port, False),
                                            **self.broker_config})
            files = {"server.properties": self._props(props), **log}
            self.nodes.append(DockerNode("broker", i, name, port, files, self._java(
                KAFKA_MAIN, f"{HOME}/server.properties", self.heap_mb)))

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{self.host}:{n.port}" for n in self.nodes if n.kind == "broker")
