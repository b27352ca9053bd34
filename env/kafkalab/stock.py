"""Apache Kafka started as its own quickstart starts it, for `kafka-lab bench --stock`: the
yardstick the course's clusters are measured against on the same machine.

What "stock" means here, from Kafka's scripts and example configs:

- every KRaft node's storage is formatted first (`kafka-storage.sh format`, a JVM of its own,
  the nodes of a quorum in parallel); a ZooKeeper-mode broker needs no format;
- each node starts with the scripts' JVM options: `kafka-server-start.sh`'s 1 GiB heap,
  `zookeeper-server-start.sh`'s 512 MiB, and `kafka-run-class.sh`'s G1 flags; no class-data
  archive;
- the broker settings of `config/server.properties` (network and I/O threads, replication
  factors of one, the 0 ms initial rebalance delay), with the ports this machine has free.

``flags="small"`` ("bare" Kafka) keeps all of that but the JVM flags, which become the
small-machine ones the course also uses (256 MiB heap, serial GC, C1 only): the yardstick the
course's start-up goals were first set against.

The same jars as the course's local backend, on the Java that Kafka's scripts would run
(``$JAVA_HOME``, else PATH; :func:`kafkalab.java.scripts_java`), which may be older than the
course's (a Java 25 runtime for its AOT cache): only what the course changes (heap, GC and JIT
flags, the runtime and its class archive, the cached format, the small-machine settings)
differs. Readiness is the same as the bench's: metadata answered with every broker.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from confluent_kafka.admin import AdminClient

from . import procs, scratch
from .backends.cache import new_uuid
from .backends.plan import Mode
from .clients import wait_until
from .exceptions import BrokerStartError, ClusterTimeoutError
from .jars import ensure_jars
from .java import scripts_java
from .ports import free_port, port_open

KAFKA_HEAP = ["-Xmx1G", "-Xms1G"]  # kafka-server-start.sh
ZOOKEEPER_HEAP = ["-Xmx512M", "-Xms512M"]  # zookeeper-server-start.sh
PERFORMANCE = [  # kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS
    "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15", "-Djava.awt.headless=true",
]
SERVER = {  # config/server.properties (both lines), ports and folders aside
    "num.network.threads": "3",
    "num.io.threads": "8",
    "socket.send.buffer.bytes": "102400",
    "socket.receive.buffer.bytes": "102400",
    "socket.request.max.bytes": "104857600",
    "num.partitions": "1",
    "num.recovery.threads.per.data.dir": "1",
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "log.retention.hours": "168",
    "log.retention.check.interval.ms": "300000",
    "group.initial.rebalance.delay.ms": "0",
}
# The "bare Kafka" the course's start-up goals were first compared with: the same format and
# settings, but the small-machine JVM flags (small heap, serial GC, C1 only) and still no
# class-data archive or cached format. It isolates what the course adds beyond those flags.
SMALL = ["-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
         "-Djava.awt.headless=true"]
FLAGS = {"scripts": (KAFKA_HEAP + PERFORMANCE, ZOOKEEPER_HEAP + PERFORMANCE),
         "small": (SMALL, SMALL)}
KRAFT = {"share.coordinator.state.topic.replication.factor": "1",
         "share.coordinator.state.topic.min.isr": "1"}

def _write(path: Path, props: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    return path


class StockCluster:
    """Stock Kafka on this machine (see the module's docstring): ``brokers`` KRaft nodes
    (combined broker and controller, as the quickstart's single node), or one ZooKeeper and
    ``brokers`` brokers in ZooKeeper mode. A context manager; every process dies with it."""

    def __init__(self, brokers: int = 1, mode: Mode | str = Mode.KRAFT,
                 flags: str = "scripts") -> None:
        if flags not in FLAGS:
            raise ValueError(f"flags={flags!r} is not one of {tuple(FLAGS)}")
        self.brokers, self.mode = brokers, Mode.parse(mode)
        self.kafka_flags, self.zookeeper_flags = FLAGS[flags]
        self.home = scratch.make("stock")
        self.children: list[procs.Child] = []
        self.ports = [free_port() for _ in range(brokers)]
        self.bootstrap_servers = ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def __enter__(self) -> StockCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _java(self, flags: list[str], log_config: Path, main: str, *args: str) -> list[str]:
        libs = ensure_jars(f"kafka-{self.mode.version}")
        log = (f"-Dlog4j2.configurationFile={log_config}" if self.mode is Mode.KRAFT
               else f"-Dlog4j.configuration=file:{log_config}")
        return [str(scripts_java()), *flags, log, "-cp", str(libs / "*"), main, *args]

    def _start(self, name: str, cmd: list[str]) -> procs.Child:
        child = procs.Child(cmd, self.home / f"{name}.log", self.home)
        self.children.append(child)
        return child

    def start(self, timeout: float = 120.0) -> float:
        """Format (KRaft), start every node, wait until metadata lists every broker; the
        seconds that took."""
        t0 = time.monotonic()
        kraft = self.mode is Mode.KRAFT
        name, text = self.mode.log_config  # the course's log configuration, to files here
        logcfg = self.home / name
        logcfg.write_text(text)
        if kraft:
            controllers = [free_port() for _ in range(self.brokers)]
            voters = ",".join(f"{i}@127.0.0.1:{p}" for i, p in enumerate(controllers, 1))
            cluster_id = new_uuid()
            confs = [_write(self.home / f"node-{i}" / "server.properties", {
                "process.roles": "broker,controller", "node.id": str(i),
                "controller.quorum.voters": voters, "controller.listener.names": "CONTROLLER",
                "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{ctl}",
                "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
                "inter.broker.listener.name": "PLAINTEXT",
                "log.dirs": str(self.home / f"node-{i}" / "data"), **SERVER, **KRAFT})
                for i, (port, ctl) in enumerate(zip(self.ports, controllers, strict=True), 1)]
            with ThreadPoolExecutor(len(confs)) as pool:  # the quorum's formats in parallel
                list(pool.map(lambda c: self._format(c, cluster_id, logcfg, timeout), confs))
        else:
            zk_port = free_port()
            zk = _write(self.home / "zookeeper.properties", {
                "dataDir": str(self.home / "zookeeper"), "clientPort": str(zk_port),
                "clientPortAddress": "127.0.0.1", "maxClientCnxns": "0",
                "admin.enableServer": "false"})
            self._start("zookeeper", self._java(
                self.zookeeper_flags, logcfg, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                str(zk)))
            confs = [_write(self.home / f"node-{i}" / "server.properties", {
                "broker.id": str(i), "zookeeper.connect": f"127.0.0.1:{zk_port}",
                "zookeeper.connection.timeout.ms": "18000",
                "listeners": f"PLAINTEXT://127.0.0.1:{port}",
                "log.dirs": str(self.home / f"node-{i}" / "data"), **SERVER})
                for i, port in enumerate(self.ports, 1)]
        for i, conf in enumerate(confs, 1):
            self._start(f"node-{i}", self._java(self.kafka_flags, logcfg, "kafka.Kafka", str(conf)))
        self._wait_ready(timeout)
        return time.monotonic() - t0

    def _format(self, conf: Path, cluster_id: str, logcfg: Path, timeout: float) -> None:
        cmd = self._java(self.kafka_flags, logcfg, "kafka.tools.StorageTool", "format",
                         "-t", cluster_id, "-c", str(conf))
        child = procs.Child(cmd, conf.parent / "format.log", self.home)
        if child.wait(timeout) != 0:
            raise BrokerStartError("kafka-storage format", "it exited with an error",
                                   child.log_tail(), str(child.log))

    def _wait_ready(self, timeout: float) -> None:
        admin: list[AdminClient] = []  # made once every port listens: a refused client logs

        def ready() -> bool:
            for child in self.children:
                if child.poll() is not None:
                    raise BrokerStartError(child.log.stem, "its JVM exited", child.log_tail(),
                                           str(child.log))
            if not admin and all(port_open(p) for p in self.ports):
                admin.append(AdminClient({"bootstrap.servers": self.bootstrap_servers}))
            try:
                return bool(admin) and len(admin[0].list_topics(timeout=1).brokers) == self.brokers
            except Exception:  # not answering yet (KafkaException, transport errors)
                return False

        try:
            wait_until(ready, timeout, "metadata", interval=0.02)
        except TimeoutError:
            tails = "\n".join(f"--- {c.log.name} ---\n{c.log_tail(800)}" for c in self.children)
            raise ClusterTimeoutError(
                f"stock Kafka ({self.brokers} brokers) to answer metadata", timeout,
                "read the nodes' last log lines below, then try again on a quieter "
                f"machine.\n{tails}") from None

    def memory_bytes(self) -> int:
        return sum(procs.rss_bytes(c.pid) for c in self.children if c.running)

    def close(self) -> None:
        for child in self.children:
            if child.running:
                child.kill()
        self.children.clear()
        shutil.rmtree(self.home, ignore_errors=True)
