"""The local backend: real Kafka (and ZooKeeper) jars run as JVM processes on this machine."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import config, procs
from .exceptions import BrokerStartError, ClusterTimeoutError, PortInUseError
from .jars import KAFKA_VERSION, KAFKA_ZK_VERSION, ensure_jars
from .java import find_java
from .ports import bindable, check_port_free, free_port, port_open
from .warmup import cds_flags, formatted_template, new_uuid

KAFKA_MAIN = "kafka.Kafka"
ZK_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain"


@dataclass
class Node:
    """One JVM: a Kafka broker (``kind='broker'``) or a ZooKeeper server."""

    kind: str
    node_id: int
    port: int
    home: Path
    cmd: list[str]
    pid: int | None = None
    extra_ports: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.node_id}"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            import psutil

            p = psutil.Process(self.pid)
            return p.status() != psutil.STATUS_ZOMBIE
        except Exception:
            return False


class LocalBackend:
    name = "local"

    def __init__(self, brokers: int = 1, mode: str = "kraft", zookeepers: int = 1,
                 heap_mb: int = 256, broker_config: dict[str, str] | None = None,
                 detached: bool = False, workdir: Path | None = None) -> None:
        self.brokers, self.mode, self.zookeepers = brokers, mode, zookeepers
        self.heap_mb, self.broker_config, self.detached = heap_mb, broker_config or {}, detached
        self.version = KAFKA_VERSION if mode == "kraft" else KAFKA_ZK_VERSION
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="kafka-lab-"))
        self.nodes: list[Node] = []
        self.procs: dict[str, subprocess.Popen] = {}
        self.zookeeper_connect: str | None = None

    # ---- building the cluster ------------------------------------------------------------
    def _java_cmd(self, main: str, conf: Path, log_conf: Path, heap: int) -> list[str]:
        libs = ensure_jars(f"kafka-{self.version}")
        log_flag = (f"-Dlog4j2.configurationFile={log_conf}" if self.version.startswith("4")
                    else f"-Dlog4j.configuration={log_conf.as_uri()}")
        extra = config.EXTRA_JVM_FLAGS if main == KAFKA_MAIN else []
        return [str(find_java()), f"-Xms{min(64, heap)}m", f"-Xmx{heap}m", *config.JVM_FLAGS,
                *cds_flags(self.version), *extra, log_flag, "-cp", str(libs / "*"), main,
                str(conf)]

    def _log_conf(self) -> Path:
        if self.version.startswith("4"):
            return config.write_properties_text(self.workdir / "log4j2.properties", config.LOG4J2)
        return config.write_properties_text(self.workdir / "log4j.properties", config.LOG4J1)

    def plan(self, ports: list[int] | None = None) -> None:
        """Write every node's configuration; ``ports`` fixes the brokers' client ports."""
        self.fixed_ports = ports
        for p in ports or []:
            check_port_free(p)
        ports = ports or [free_port() for _ in range(self.brokers)]
        log_conf = self._log_conf()
        if self.mode == "kraft":
            cports = [free_port() for _ in range(self.brokers)]
            voters = ",".join(f"{i + 1}@127.0.0.1:{c}" for i, c in enumerate(cports))
            cluster_id = new_uuid()
            template = formatted_template(self.version)
            for i in range(self.brokers):
                home = self.workdir / f"broker-{i + 1}"
                data = home / "data"
                (data / "__cluster_metadata-0").mkdir(parents=True)
                for f in template.iterdir():
                    shutil.copyfile(f, data / "__cluster_metadata-0" / f.name)
                config.write_properties(data / "meta.properties", {
                    "version": "1", "node.id": str(i + 1), "directory.id": new_uuid(),
                    "cluster.id": cluster_id})
                props = config.kraft_broker(i + 1, ports[i], cports[i], voters, data,
                                            self.brokers, extra=self.broker_config)
                conf = config.write_properties(home / "server.properties", props)
                cmd = self._java_cmd(KAFKA_MAIN, conf, log_conf, self.heap_mb)
                self.nodes.append(Node("broker", i + 1, ports[i], home, cmd,
                                       extra_ports=[cports[i]]))
            return
        zk_ports = [free_port() for _ in range(self.zookeepers)]
        peers = [(i + 1, free_port(), free_port()) for i in range(self.zookeepers)]
        for i in range(self.zookeepers):
            home = self.workdir / f"zookeeper-{i + 1}"
            (home / "data").mkdir(parents=True)
            props = config.zookeeper(i + 1, zk_ports[i], home / "data", peers)
            conf = config.write_properties(home / "zoo.cfg", props)
            cmd = self._java_cmd(ZK_MAIN, conf, log_conf, 128)
            self.nodes.append(Node("zookeeper", i + 1, zk_ports[i], home, cmd,
                                   extra_ports=list(peers[i][1:])))
        self.zookeeper_connect = ",".join(f"127.0.0.1:{p}" for p in zk_ports)
        for i in range(self.brokers):
            home = self.workdir / f"broker-{i + 1}"
            (home / "data").mkdir(parents=True)
            props = config.zk_broker(i + 1, ports[i], self.zookeeper_connect, home / "data",
                                     self.brokers, extra=self.broker_config)
            conf = config.write_properties(home / "server.properties", props)
            self.nodes.append(Node("broker", i + 1, ports[i], home,
                                   self._java_cmd(KAFKA_MAIN, conf, log_conf, self.heap_mb)))

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{n.port}" for n in self.nodes if n.kind == "broker")

    def start(self, timeout: float = 90.0) -> None:
        """Start every node; on a port lost to another process in the meantime, re-plan."""
        if not self.nodes:
            self.plan()
        for attempt in range(3):
            try:
                return self._start(timeout)
            except PortInUseError:
                if self.fixed_ports or attempt == 2:
                    raise
                self.close(keep_files=False)
                self.workdir.mkdir(parents=True)
                self.nodes, self.procs = [], {}
                self.plan()

    def _start(self, timeout: float) -> None:
        # All quorum members start at once; brokers in ZooKeeper mode wait for ZooKeeper.
        zks = [n for n in self.nodes if n.kind == "zookeeper"]
        for n in zks:
            self._spawn(n)
        if zks:
            self._wait_ports(zks, timeout)
        brokers = [n for n in self.nodes if n.kind == "broker"]
        for n in brokers:
            self._spawn(n)
        self._wait_ports(brokers, timeout)

    def _spawn(self, node: Node) -> None:
        proc = procs.spawn(node.cmd, node.log, node.home, detached=self.detached)
        node.pid = proc.pid
        self.procs[node.name] = proc

    def _wait_ports(self, nodes: list[Node], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(nodes)
        while pending:
            for n in list(pending):
                if port_open(n.port):
                    pending.remove(n)
                elif not n.alive():
                    self._start_failed(n)
            if time.monotonic() > deadline:
                n = pending[0]
                raise ClusterTimeoutError(f"{n.name} to listen on port {n.port}", timeout,
                                          f"Its log: {n.log}\n{n.log_tail()}")
            time.sleep(0.02)

    def _start_failed(self, node: Node) -> None:
        tail = node.log_tail()
        if re.search(r"Address already in use|BindException", tail):
            taken = [p for p in [node.port, *node.extra_ports] if not bindable(p)]
            raise PortInUseError(taken[0] if taken else node.port)
        try:
            cause = procs.startup_error(node.log.read_text(errors="replace"))
        except OSError:
            cause = None
        reason = f"its JVM exited ({cause[:500]})" if cause else "its JVM exited"
        raise BrokerStartError(node.name, reason, tail, str(node.log))

    # ---- faults ---------------------------------------------------------------------------
    def node(self, kind: str, node_id: int) -> Node:
        for n in self.nodes:
            if n.kind == kind and n.node_id == node_id:
                return n
        ids = [n.node_id for n in self.nodes if n.kind == kind]
        raise KeyError(f"No {kind} with id {node_id}; this cluster has {kind}s {ids}")

    def kill(self, kind: str, node_id: int) -> None:
        n = self.node(kind, node_id)
        if n.pid is not None:
            procs.kill(n.pid)
            self._reap(n)

    def stop(self, kind: str, node_id: int, timeout: float = 30.0) -> None:
        n = self.node(kind, node_id)
        if n.pid is None:
            return
        procs.terminate(n.pid)
        deadline = time.monotonic() + timeout
        while n.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if n.alive():
            procs.kill(n.pid)
        self._reap(n)

    def _reap(self, n: Node) -> None:
        proc = self.procs.pop(n.name, None)
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        else:  # attached to a cluster started by another process: wait for it to vanish
            deadline = time.monotonic() + 10
            while n.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
        if n.pid is not None and not self.detached:
            procs.forget(n.pid)
        n.pid = None

    def pause(self, kind: str, node_id: int) -> None:
        n = self.node(kind, node_id)
        if n.pid is not None:
            procs.suspend(n.pid)

    def resume(self, kind: str, node_id: int) -> None:
        n = self.node(kind, node_id)
        if n.pid is not None:
            procs.resume(n.pid)

    def restart(self, kind: str, node_id: int, timeout: float = 60.0) -> None:
        n = self.node(kind, node_id)
        if n.alive():
            return
        self._spawn(n)
        self._wait_ports([n], timeout)

    def running(self, kind: str, node_id: int) -> bool:
        return self.node(kind, node_id).alive()

    def log_tail(self, kind: str, node_id: int, lines: int = 30) -> str:
        return self.node(kind, node_id).log_tail(lines)

    # ---- inspection -----------------------------------------------------------------------
    def quorum_state(self) -> dict | None:
        """The KRaft leader as the nodes' quorum-state files record it (highest epoch wins)."""
        best: dict | None = None
        for n in self.nodes:
            f = n.home / "data" / "__cluster_metadata-0" / "quorum-state"
            try:
                state = json.loads(f.read_text())
            except (OSError, ValueError):
                continue
            if n.alive() and (best is None or state.get("leaderEpoch", -1) > best["leaderEpoch"]):
                best = {"leaderId": state.get("leaderId", -1),
                        "leaderEpoch": state.get("leaderEpoch", -1)}
        return best

    def rss_bytes(self) -> int:
        return sum(procs.rss_bytes(n.pid) for n in self.nodes if n.pid is not None)

    def close(self, keep_files: bool = False) -> None:
        for n in self.nodes:
            if n.kind == "broker" and n.pid is not None:
                procs.kill(n.pid)
        for n in self.nodes:
            if n.pid is not None:
                procs.kill(n.pid)
                self._reap(n)
        if not keep_files:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # ---- a cluster that outlives its process (the `up` CLI) --------------------------------
    def state(self) -> dict:
        return {"backend": "local", "mode": self.mode, "brokers": self.brokers,
                "zookeepers": self.zookeepers, "version": self.version,
                "workdir": str(self.workdir), "bootstrap_servers": self.bootstrap_servers,
                "zookeeper_connect": self.zookeeper_connect,
                "nodes": [{"kind": n.kind, "id": n.node_id, "port": n.port, "pid": n.pid,
                           "home": str(n.home), "cmd": n.cmd} for n in self.nodes]}

    @classmethod
    def attach(cls, state: dict) -> LocalBackend:
        self = cls(state["brokers"], state["mode"], state["zookeepers"], detached=True,
                   workdir=Path(state["workdir"]))
        self.zookeeper_connect = state.get("zookeeper_connect")
        self.nodes = [Node(d["kind"], d["id"], d["port"], Path(d["home"]), d["cmd"], d["pid"])
                      for d in state["nodes"]]
        return self

