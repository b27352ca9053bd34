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

import io
import json
import os
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import config
from .docker_image import image_layout, kraft_template, resolve_image
from .exceptions import (
    BrokerStartError,
    ClusterTimeoutError,
    DockerUnavailableError,
    KafkaLabError,
)
from .jars import KAFKA_VERSION, KAFKA_ZK_VERSION
from .local import KAFKA_MAIN, ZK_MAIN
from .ports import check_port_free, free_port
from .warmup import new_uuid

LABEL = "org.kafka-lab.session"
LABEL_OWNER = "org.kafka-lab.owner"  # host:pid:process start time
LABEL_CLUSTER = "org.kafka-lab.cluster"  # one cluster's containers and network
SESSION = uuid.uuid4().hex[:10]
HOME = PurePosixPath("/kafka-lab")
DATA = HOME / "data"
PORTS = {"client": 9092, "internal": 19092, "controller": 9093, "zk": 2181}


def _tc_env() -> None:
    """Testcontainers settings for an engine without registry access (set before its import)."""
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")


def _client(timeout: int = 60) -> Any:
    import docker

    return docker.from_env(timeout=timeout)


def docker_available() -> None:
    """Return if a Docker engine answers within about 2 s, else raise DockerUnavailableError."""
    try:
        import docker
    except ImportError:
        raise DockerUnavailableError("the Python package 'docker' is not installed: "
                                     "pip install docker testcontainers") from None
    host = os.environ.get("DOCKER_HOST", "")
    if not host and sys.platform != "win32" and not Path("/var/run/docker.sock").exists() \
            and not (Path.home() / ".docker" / "run" / "docker.sock").exists():
        raise DockerUnavailableError("no /var/run/docker.sock and DOCKER_HOST is not set")
    try:
        client = docker.from_env(timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        reason = str(exc).split("(Caused by")[0].strip() or type(exc).__name__
        raise DockerUnavailableError(f"{host or 'the default socket'}: {reason[:200]}") from None


# ---- no orphans: a watchdog per process, and a sweep of containers whose owner died ----------
_WATCHDOG = r"""
import signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
for _ in sys.stdin:
    pass
import docker
client = docker.from_env(timeout=120)
flt = {"label": "org.kafka-lab.session=" + sys.argv[1]}
for c in client.containers.list(all=True, filters=flt):
    try: c.remove(force=True, v=True)
    except Exception: pass
for n in client.networks.list(filters=flt):
    try: n.remove()
    except Exception: pass
"""
_watchdog: subprocess.Popen | None = None


def _owner() -> str:
    import psutil

    return f"{socket.gethostname()}:{os.getpid()}:{psutil.Process().create_time():.0f}"


def _ensure_watchdog() -> None:
    global _watchdog
    if _watchdog is None or _watchdog.poll() is not None:
        _watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, SESSION],
                                     stdin=subprocess.PIPE, start_new_session=True)


def _owner_alive(owner: str) -> bool:
    import psutil

    host, _, rest = owner.partition(":")
    pid, _, ctime = rest.partition(":")
    if host != socket.gethostname():
        return True  # another machine's engine client: not ours to judge
    try:
        return f"{psutil.Process(int(pid)).create_time():.0f}" == ctime
    except (psutil.Error, ValueError):
        return False


def sweep_stale(client: Any | None = None) -> int:
    """Remove kafka-lab containers and networks whose owning process is gone; return count."""
    client = client or _client()
    removed = 0
    for c in client.containers.list(all=True, filters={"label": LABEL}):
        if not _owner_alive(c.labels.get(LABEL_OWNER, "")):
            try:
                c.remove(force=True, v=True)
                removed += 1
            except Exception:
                pass
    for n in client.networks.list(filters={"label": LABEL}):
        if not _owner_alive(n.attrs.get("Labels", {}).get(LABEL_OWNER, "")):
            try:
                n.remove()
            except Exception:
                pass
    return removed


# ---- readiness probes (through the published port, as clients see it) ----------------------
def kafka_answers(host: str, port: int) -> bool:
    """True if a Kafka broker answers an ApiVersions v0 request on host:port."""
    req = struct.pack(">hhih", 18, 0, 7, 2) + b"kl"
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.settimeout(2)
            s.sendall(struct.pack(">i", len(req)) + req)
            head = s.recv(8)
            return len(head) == 8 and struct.unpack(">ii", head)[1] == 7
    except OSError:
        return False


def zookeeper_serving(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.settimeout(2)
            s.sendall(b"srvr")
            return b"Mode:" in s.recv(4096)
    except OSError:
        return False


@dataclass
class DockerNode:
    kind: str
    node_id: int
    name: str
    port: int  # host port (Kafka client listener or ZooKeeper client port)
    files: dict[str, bytes]
    cmd: list[str]
    container: Any = None  # the testcontainers DockerContainer

    def status(self) -> str:
        if self.container is None or self.container._container is None:
            return "absent"
        try:
            self.container._container.reload()
            return self.container._container.status
        except Exception:
            return "absent"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return self.container._container.logs(tail=lines).decode(errors="replace").rstrip()
        except Exception:
            return ""


class DockerBackend:
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
                    raise BrokerStartError(f"{n.kind}-{n.node_id} (container {n.name})",
                                           f"its container is {n.status()}", n.log_tail(),
                                           f"docker logs {n.name}")
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


def read_file(container: Any, path: str) -> bytes | None:
    """One file's bytes from a container (None if absent)."""
    try:
        stream, _ = container.get_archive(path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.next()
            f = tar.extractfile(member) if member else None
            return f.read() if f else None
    except Exception:
        return None
