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

import psutil

from .. import procs, scratch
from ..exceptions import BrokerStartError, ClusterTimeoutError, PortInUseError
from ..jars import ensure_jars
from ..java import find_java
from ..ports import bindable, check_port_free, free_port, port_open
from .base import find_node
from .cache import cds_flags, formatted_template, has_own_archive
from .plan import ClusterSpec, HostLayout, Mode, NodeSpec, plan
from .security import ManagedSecurity


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
            p = psutil.Process(self.pid)
            return p.status() != psutil.STATUS_ZOMBIE
        except Exception:
            return False


class LocalBackend:
    """Realises a plan's NodeSpecs as JVM processes, each in its own folder under ``workdir``."""

    name = "local"

    def __init__(self, spec: ClusterSpec, detached: bool = False,
                 workdir: Path | None = None, security: ManagedSecurity | None = None) -> None:
        self.spec, self.detached, self.managed = spec, detached, security
        self.mode, self.version = spec.mode, spec.version
        # a detached cluster outlives this process: its folder names no owner (never swept)
        self.workdir = workdir or (Path(tempfile.mkdtemp(prefix="kafka-lab-")) if detached
                                   else scratch.make("cluster"))
        self.nodes: list[Node] = []
        self.procs: dict[str, subprocess.Popen] = {}
        self.zookeeper_connect: str | None = None
        self.fixed_ports: list[int] | None = None
        self.security: dict[str, str] = {}

    # ---- building the cluster ------------------------------------------------------------
    def _java_cmd(self, node: NodeSpec, home: Path) -> list[str]:
        libs = ensure_jars(f"kafka-{self.version}")
        # a caller's own archive flags replace ours; ZooKeeper's JVM uses the broker's archive
        # (the same class path: what they share comes from it, the rest loads as usual)
        cds = [] if has_own_archive(node.jvm_flags) else cds_flags(self.version)
        return [str(find_java()), *node.java_args(str(home), str(libs), cds)]

    def plan(self, ports: list[int] | None = None) -> None:
        """Write every node's files; ``ports`` fixes the brokers' client ports."""
        self.fixed_ports = ports
        for p in ports or []:
            check_port_free(p)
        n, z = self.spec.brokers, self.spec.zookeeper_count
        kraft = self.mode is Mode.KRAFT
        layout = HostLayout(
            root=self.workdir.as_posix(),
            broker_ports=list(ports) if ports else [free_port() for _ in range(n)],
            controller_ports=[free_port() for _ in range(n)] if kraft else [],
            zk_ports=[free_port() for _ in range(z)],
            zk_peer_ports=[(free_port(), free_port()) for _ in range(z)] if z > 1 else [])
        bootstrap = None
        if kraft:
            template = formatted_template(self.version)
            bootstrap = {f.name: f.read_bytes() for f in template.iterdir() if f.is_file()}
        for spec in plan(self.spec, layout, bootstrap, security=self.managed):
            home = self.workdir / spec.name
            for rel, data in spec.files.items():
                (home / rel).parent.mkdir(parents=True, exist_ok=True)
                (home / rel).write_bytes(data)
            (home / "data").mkdir(parents=True, exist_ok=True)
            self.nodes.append(Node(spec.kind, spec.node_id, spec.port, home,
                                   self._java_cmd(spec, home),
                                   extra_ports=spec.listen_ports[1:]))
        if z:
            self.zookeeper_connect = layout.zookeeper_connect()
        if self.managed is not None:  # the cluster's own clients log in as the super user
            ca = self.managed.write_ca(self.workdir)
            self.security = self.managed.client_config(self.managed.admin, ca)

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
        if zks:
            self.start_nodes(zks, timeout)
        self.start_nodes([n for n in self.nodes if n.kind == "broker"], timeout)

    def start_nodes(self, nodes: list[Node], timeout: float) -> None:
        """Start these nodes at once (their JVMs boot in parallel) and wait until each
        listens; nodes already running are left alone."""
        for n in nodes:
            if not n.alive():
                self._spawn(n)
        self._wait_ports(nodes, timeout)

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
        return find_node(self.nodes, kind, node_id)

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
        self.start_nodes([self.node(kind, node_id)], timeout)

    def start_many(self, kind: str, ids: list[int], timeout: float = 60.0) -> None:
        self.start_nodes([self.node(kind, i) for i in ids], timeout)

    def status(self, kind: str, node_id: int) -> str:
        """"running", "paused" (SIGSTOP) or "down"."""
        n = self.node(kind, node_id)
        if not n.alive() or n.pid is None:
            return "down"
        try:
            stopped = psutil.Process(n.pid).status() == psutil.STATUS_STOPPED
        except psutil.Error:
            return "down"
        return "paused" if stopped else "running"

    def pid(self, kind: str, node_id: int) -> int | None:
        return self.node(kind, node_id).pid

    def ports(self, kind: str, node_id: int) -> list[int]:
        n = self.node(kind, node_id)
        return [n.port, *n.extra_ports]

    def node_rss(self, kind: str, node_id: int) -> int:
        pid = self.node(kind, node_id).pid
        return procs.rss_bytes(pid) if pid is not None else 0

    def running(self, kind: str, node_id: int) -> bool:
        return self.node(kind, node_id).alive()

    def log_tail(self, kind: str, node_id: int, lines: int = 30) -> str:
        return self.node(kind, node_id).log_tail(lines)

    def log_dir(self, kind: str, node_id: int) -> Path | None:
        """The node's data folder on this machine (a broker's ``log.dirs``)."""
        return self.node(kind, node_id).home / "data"

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
        return {"backend": "local", "mode": self.mode.value, "brokers": self.spec.brokers,
                "zookeepers": self.spec.zookeepers, "version": self.version,
                "workdir": str(self.workdir), "bootstrap_servers": self.bootstrap_servers,
                "zookeeper_connect": self.zookeeper_connect,
                "nodes": [{"kind": n.kind, "id": n.node_id, "port": n.port, "pid": n.pid,
                           "home": str(n.home), "cmd": n.cmd, "extra_ports": n.extra_ports}
                          for n in self.nodes]}

    @classmethod
    def attach(cls, state: dict) -> LocalBackend:
        spec = ClusterSpec(state["brokers"], Mode.parse(state["mode"]), state["zookeepers"])
        self = cls(spec, detached=True, workdir=Path(state["workdir"]))
        self.zookeeper_connect = state.get("zookeeper_connect")
        self.nodes = [Node(d["kind"], d["id"], d["port"], Path(d["home"]), d["cmd"], d["pid"],
                           d.get("extra_ports", [])) for d in state["nodes"]]
        return self

