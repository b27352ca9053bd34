"""The backend-neutral plan: a :class:`ClusterSpec` (what the caller asked for) becomes one
:class:`NodeSpec` per JVM (properties, files, main class, ports, log configuration).

Backends only *realise* NodeSpecs: the local one writes the files under a node folder and starts
``java``; the docker one copies them into a container. Where the nodes listen and how they reach
each other is the one thing that differs, and a :class:`Layout` says it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..jars import KAFKA_VERSION, KAFKA_ZK_VERSION
from . import properties as props_

KAFKA_MAIN = "kafka.Kafka"
ZK_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
ZK_HEAP_MB = 128


class Mode(enum.Enum):
    """How the cluster keeps its metadata; each mode runs one Kafka version."""

    KRAFT = "kraft"
    ZOOKEEPER = "zookeeper"

    @classmethod
    def parse(cls, value: str | Mode) -> Mode:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"mode={value!r} is not one of "
                             f"{tuple(m.value for m in cls)}") from None

    @property
    def version(self) -> str:
        """Kafka 4 for KRaft; the last line with ZooKeeper mode (3.9) for ZooKeeper."""
        return KAFKA_VERSION if self is Mode.KRAFT else KAFKA_ZK_VERSION

    @property
    def log_config(self) -> tuple[str, str]:
        """(file name, its text) of the log configuration this version reads."""
        if self is Mode.KRAFT:
            return "log4j2.properties", props_.LOG4J2
        return "log4j.properties", props_.LOG4J1

    def log_flag(self, path: str) -> str:
        """The JVM system property that points this version's logging at ``path``."""
        if self is Mode.KRAFT:
            return f"-Dlog4j2.configurationFile={path}"
        return f"-Dlog4j.configuration=file:{path}"


@dataclass(frozen=True)
class ClusterSpec:
    """What to run. ``jvm_flags`` go on every broker's command line (e.g. to write a
    class-data-sharing archive); ``broker_config`` overrides any broker property."""

    brokers: int = 1
    mode: Mode = Mode.KRAFT
    zookeepers: int = 1
    heap_mb: int = 256
    broker_config: tuple[tuple[str, str], ...] = ()
    jvm_flags: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        return self.mode.version

    @property
    def zookeeper_count(self) -> int:
        return self.zookeepers if self.mode is Mode.ZOOKEEPER else 0


@dataclass
class NodeSpec:
    """One JVM to run: a broker or a ZooKeeper server."""

    kind: str  # "broker" | "zookeeper"
    node_id: int
    main: str
    conf_file: str  # relative to the node's home: "server.properties" or "zoo.cfg"
    files: dict[str, bytes]  # relative path -> content, the conf file and log config included
    heap_mb: int
    port: int  # the port clients use, as seen from where they run
    listen_ports: list[int] = field(default_factory=list)  # every port it binds (client first)
    jvm_flags: list[str] = field(default_factory=list)
    mode: Mode = Mode.KRAFT  # the Kafka line it runs (which logging it reads)

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.node_id}"

    def java_args(self, home: str, libs: str, extra: list[str] | None = None) -> list[str]:
        """Everything after ``java`` on the command line, with the node's files under ``home``
        and the Kafka jars in the folder ``libs``."""
        log = self.mode.log_flag(f"{home}/{self.mode.log_config[0]}")
        # a 32 MiB initial heap: measured with 3 brokers, 481 MiB resident at ready against
        # 511 MiB with 64 MiB, and no slower to start
        return [f"-Xms{min(32, self.heap_mb)}m", f"-Xmx{self.heap_mb}m", *props_.JVM_FLAGS,
                *(extra or []), *self.jvm_flags, log,
                "-cp", f"{libs}/*", self.main, f"{home}/{self.conf_file}"]


class ListenerSecurity(Protocol):
    """A security plan for the listeners (e.g. :class:`.security.ManagedSecurity`): which
    listeners a node at these addresses opens, and the broker settings that secure them."""

    def listeners(self, client: str, controller: str | None) -> dict[str, str]: ...
    def broker_properties(self) -> dict[str, str]: ...


class Layout(Protocol):
    """Where each node listens and how nodes and clients reach it."""

    def data_dir(self, kind: str, node_id: int) -> str: ...
    def client_port(self, kind: str, node_id: int) -> int: ...
    def broker_listeners(self, node_id: int, controller: bool,
                         security: ListenerSecurity | None = None) -> dict[str, str]: ...
    def controller_address(self, node_id: int) -> str: ...
    def zookeeper_listen(self, node_id: int) -> tuple[str, int]: ...
    def zookeeper_peer(self, node_id: int) -> str: ...
    def zookeeper_connect(self) -> str: ...
    def listen_ports(self, kind: str, node_id: int) -> list[int]: ...


@dataclass
class HostLayout:
    """Every node on this machine's loopback, each with its own ports (the local backend)."""

    root: str  # the cluster's folder; node homes are <root>/<kind>-<id>
    broker_ports: list[int]
    controller_ports: list[int] = field(default_factory=list)
    zk_ports: list[int] = field(default_factory=list)
    zk_peer_ports: list[tuple[int, int]] = field(default_factory=list)
    host: str = "127.0.0.1"

    def home(self, kind: str, node_id: int) -> str:
        return f"{self.root}/{kind}-{node_id}"

    def data_dir(self, kind: str, node_id: int) -> str:
        return f"{self.home(kind, node_id)}/data"

    def client_port(self, kind: str, node_id: int) -> int:
        return (self.broker_ports if kind == "broker" else self.zk_ports)[node_id - 1]

    def broker_listeners(self, node_id: int, controller: bool,
                         security: ListenerSecurity | None = None) -> dict[str, str]:
        port = self.broker_ports[node_id - 1]
        if security is not None:
            return security.listeners(f"{self.host}:{port}", self.controller_address(node_id)
                                      if controller else None)
        listeners = f"PLAINTEXT://{self.host}:{port}"
        pmap = "PLAINTEXT:PLAINTEXT"
        if controller:
            listeners += f",CONTROLLER://{self.host}:{self.controller_ports[node_id - 1]}"
            pmap += ",CONTROLLER:PLAINTEXT"
        return {"listeners": listeners, "listener.security.protocol.map": pmap,
                "advertised.listeners": f"PLAINTEXT://{self.host}:{port}",
                "inter.broker.listener.name": "PLAINTEXT"}

    def controller_address(self, node_id: int) -> str:
        return f"{self.host}:{self.controller_ports[node_id - 1]}"

    def zookeeper_listen(self, node_id: int) -> tuple[str, int]:
        return self.host, self.zk_ports[node_id - 1]

    def zookeeper_peer(self, node_id: int) -> str:
        quorum, election = self.zk_peer_ports[node_id - 1]
        return f"{self.host}:{quorum}:{election}"

    def zookeeper_connect(self) -> str:
        return ",".join(f"{self.host}:{p}" for p in self.zk_ports)

    def listen_ports(self, kind: str, node_id: int) -> list[int]:
        i = node_id - 1
        if kind == "broker":
            return [self.broker_ports[i], *self.controller_ports[i:i + 1]]
        return [self.zk_ports[i], *(self.zk_peer_ports[i] if self.zk_peer_ports else ())]


@dataclass
class ContainerLayout:
    """One container per node on a private network: fixed ports inside, each broker's client
    port published on the host (the docker backend). Brokers talk to each other by name on an
    INTERNAL listener; clients use the published PLAINTEXT one."""

    prefix: str  # container names are <prefix>-<kind>-<id>
    data: str  # the data folder inside every container
    broker_host_ports: list[int]
    zk_host_ports: list[int] = field(default_factory=list)
    host: str = "127.0.0.1"
    client: int = 9092
    internal: int = 19092
    controller: int = 9093
    zk: int = 2181
    zk_quorum: int = 2888
    zk_election: int = 3888

    def name(self, kind: str, node_id: int) -> str:
        return f"{self.prefix}-{kind}-{node_id}"

    def data_dir(self, kind: str, node_id: int) -> str:
        return self.data

    def client_port(self, kind: str, node_id: int) -> int:
        return (self.broker_host_ports if kind == "broker" else self.zk_host_ports)[node_id - 1]

    def broker_listeners(self, node_id: int, controller: bool,
                         security: ListenerSecurity | None = None) -> dict[str, str]:
        if security is not None:
            raise ValueError("the container layout has no secured listeners yet")
        name = self.name("broker", node_id)
        listeners = f"PLAINTEXT://0.0.0.0:{self.client},INTERNAL://0.0.0.0:{self.internal}"
        pmap = "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT"
        if controller:
            listeners += f",CONTROLLER://0.0.0.0:{self.controller}"
            pmap += ",CONTROLLER:PLAINTEXT"
        return {"listeners": listeners, "listener.security.protocol.map": pmap,
                "advertised.listeners": f"PLAINTEXT://{self.host}:"
                                        f"{self.broker_host_ports[node_id - 1]},"
                                        f"INTERNAL://{name}:{self.internal}",
                "inter.broker.listener.name": "INTERNAL"}

    def controller_address(self, node_id: int) -> str:
        return f"{self.name('broker', node_id)}:{self.controller}"

    def zookeeper_listen(self, node_id: int) -> tuple[str, int]:
        return "0.0.0.0", self.zk

    def zookeeper_peer(self, node_id: int) -> str:
        return f"{self.name('zookeeper', node_id)}:{self.zk_quorum}:{self.zk_election}"

    def zookeeper_connect(self) -> str:
        """As brokers inside the network reach the ensemble."""
        return ",".join(f"{self.name('zookeeper', i)}:{self.zk}"
                        for i in range(1, len(self.zk_host_ports) + 1))

    def listen_ports(self, kind: str, node_id: int) -> list[int]:
        return [self.client_port(kind, node_id)]


def _properties(values: dict[str, str]) -> bytes:
    return "".join(f"{k}={v}\n" for k, v in values.items()).encode()


def plan(spec: ClusterSpec, layout: Layout, kraft_bootstrap: dict[str, bytes] | None = None,
         new_id: Callable[[], str] | None = None,
         security: ListenerSecurity | None = None) -> list[NodeSpec]:
    """Every node of ``spec`` in ``layout``: ZooKeeper servers first, then brokers.

    ``kraft_bootstrap`` is the formatted metadata checkpoint (file name -> bytes) every KRaft
    node starts from (made once per version by Kafka's StorageTool); ``new_id`` makes Kafka
    Uuids (cluster id, directory ids). ``security`` secures the listeners (KRaft only; None:
    plaintext).
    """
    from .cache import new_uuid

    new_id = new_id or new_uuid
    log_name, log_text = spec.mode.log_config
    log = {log_name: log_text.encode()}
    extra = dict(spec.broker_config)
    if security is not None:
        if spec.mode is not Mode.KRAFT:
            raise ValueError("secured listeners are planned for KRaft clusters only")
        extra = {**security.broker_properties(), **extra}
    nodes: list[NodeSpec] = []
    if spec.mode is Mode.KRAFT:
        if kraft_bootstrap is None:
            raise ValueError("a KRaft plan needs the formatted metadata checkpoint")
        voters = ",".join(f"{i}@{layout.controller_address(i)}"
                          for i in range(1, spec.brokers + 1))
        cluster_id = new_id()
        for i in range(1, spec.brokers + 1):
            data = layout.data_dir("broker", i)
            values = props_.kraft_broker(i, voters, data, spec.brokers,
                                         {**layout.broker_listeners(i, True, security), **extra})
            meta = {"version": "1", "node.id": str(i), "directory.id": new_id(),
                    "cluster.id": cluster_id}
            files = {"server.properties": _properties(values), **log,
                     "data/meta.properties": _properties(meta),
                     **{f"data/__cluster_metadata-0/{k}": v for k, v in kraft_bootstrap.items()}}
            nodes.append(NodeSpec("broker", i, KAFKA_MAIN, "server.properties", files,
                                  spec.heap_mb, layout.client_port("broker", i),
                                  layout.listen_ports("broker", i), list(spec.jvm_flags),
                                  spec.mode))
        return nodes
    ensemble = spec.zookeepers > 1
    for i in range(1, spec.zookeepers + 1):
        host, port = layout.zookeeper_listen(i)
        values = props_.zookeeper(port, layout.data_dir("zookeeper", i), host)
        files = {"zoo.cfg": b"", **log}
        if ensemble:
            for peer in range(1, spec.zookeepers + 1):
                values[f"server.{peer}"] = layout.zookeeper_peer(peer)
            files["data/myid"] = str(i).encode()
        files["zoo.cfg"] = _properties(values)
        nodes.append(NodeSpec("zookeeper", i, ZK_MAIN, "zoo.cfg", files, ZK_HEAP_MB,
                              layout.client_port("zookeeper", i),
                              layout.listen_ports("zookeeper", i), [], spec.mode))
    for i in range(1, spec.brokers + 1):
        values = props_.zk_broker(i, layout.zookeeper_connect(), layout.data_dir("broker", i),
                                  spec.brokers, {**layout.broker_listeners(i, False), **extra})
        files = {"server.properties": _properties(values), **log}
        nodes.append(NodeSpec("broker", i, KAFKA_MAIN, "server.properties", files,
                              spec.heap_mb, layout.client_port("broker", i),
                              layout.listen_ports("broker", i), list(spec.jvm_flags), spec.mode))
    return nodes
