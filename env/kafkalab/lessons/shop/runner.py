"""Start and stop the whole shop: one OS process per service replica, free ports, health waits,
one log file per process, and no orphans (children die with this process via kafkalab.procs)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ... import procs, scratch
from ...clients import wait_until
from ...cluster import Cluster
from ...ports import free_port
from .topics import create_topics, encode, topic

KAFKA_SERVICES = ("orders", "inventory", "payments", "shipping", "notifications")
SYNC_SERVICES = ("inventory", "payments", "shipping", "notifications")
CATALOG: dict[str, dict[str, Any]] = {
    "p-mug": {"name": "Kafka mug", "price": 12.5, "stock": 1_000_000},
    "p-tee": {"name": "Kafka T-shirt", "price": 20.0, "stock": 1_000_000},
    "p-book": {"name": "Designing Event-Driven Systems", "price": 35.0, "stock": 1_000_000},
    "p-sticker": {"name": "Partition sticker", "price": 1.5, "stock": 1_000_000},
}


class ShopError(RuntimeError):
    pass


@dataclass
class Proc:
    role: str
    replica: int
    port: int
    log: Path
    child: procs.Child | None = None
    pid: int | None = None  # None once stopped; a detached shop's `down` reads it from a file

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.child.running if self.child is not None else procs.rss_bytes(
            self.pid or 0) > 0

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Shop:
    """The shop. ``mode="kafka"`` (services talk through Kafka; needs ``cluster`` or
    ``client_config``) or ``mode="sync"`` (the gateway calls each service over HTTP).

        with Shop(cluster) as shop:
            httpx.post(f"{shop.url}/orders", json={...})
    """

    def __init__(self, cluster: Cluster | None = None, *, mode: str = "kafka",
                 client_config: dict[str, Any] | None = None, prefix: str | None = None,
                 partitions: int = 3, replication_factor: int | None = None,
                 min_insync_replicas: int | None = None,
                 catalog: dict[str, dict[str, Any]] | None = None,
                 delays: dict[str, float] | None = None, replicas: dict[str, int] | None = None,
                 plugin: str | None = None, sync_timeout: float = 2.0, batch: int = 100,
                 workdir: str | Path | None = None, detached: bool = False) -> None:
        if mode not in ("kafka", "sync"):
            raise ShopError(f"mode={mode!r}: use 'kafka' or 'sync'")
        if mode == "kafka" and cluster is None and client_config is None:
            raise ShopError("The Kafka shop needs a cluster: Shop(cluster) or client_config=")
        self.mode, self.cluster = mode, cluster
        self.client = dict(client_config or cluster.client_config()) if mode == "kafka" else {}
        self.prefix = prefix or f"shop-{uuid.uuid4().hex[:6]}"
        self.partitions, self.rf, self.min_isr = partitions, replication_factor, min_insync_replicas
        self.catalog = dict(catalog or CATALOG)
        self.delays = dict(delays or {})
        self.replicas = {s: 1 for s in KAFKA_SERVICES} | dict(replicas or {})
        if self.replicas.get("inventory", 1) != 1:
            raise ShopError("inventory runs as one replica (stock is one count per product)")
        self.plugin, self.sync_timeout, self.batch = plugin, sync_timeout, batch
        # a detached shop outlives this process: its folder names no owner (never swept)
        self.workdir = Path(workdir) if workdir else (
            Path(tempfile.mkdtemp(prefix=f"{self.prefix}-")) if detached
            else scratch.make(self.prefix))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ledger = self.workdir / "card-processor.log"
        self.detached = detached
        self.procs: dict[str, list[Proc]] = {}
        self.started = False

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.procs["gateway"][0].url

    def topic(self, kind: str) -> str:
        return topic(self.prefix, kind)

    def _settings(self) -> dict[str, Any]:
        conf = {"client": self.client, "prefix": self.prefix, "catalog": self.catalog,
                "delays": self.delays, "sync_timeout": self.sync_timeout, "batch": self.batch,
                "ledger": str(self.ledger)}
        if self.mode == "sync":
            conf["sync_services"] = {s: self.procs[s][0].url for s in SYNC_SERVICES}
        return conf

    def start(self, timeout: float = 90.0, wait: bool = True) -> Shop:
        """Start every process; with ``wait`` (default) return once all answer their health
        endpoints (else call :meth:`wait_healthy` later, e.g. after starting something else).
        A shop already started is left as it is; a stopped one starts afresh."""
        if self.started:
            return self
        self.procs = {}
        if self.mode == "kafka":
            self._prepare_topics()
            roles = [(s, r) for s in KAFKA_SERVICES for r in range(self.replicas[s])]
        else:
            roles = [(s, 0) for s in SYNC_SERVICES]
        for role, replica in roles:
            self.procs.setdefault(role, []).append(self._proc(role, replica))
        self.procs["gateway"] = [self._proc("gateway", 0)]
        for p in (p for group in self.procs.values() for p in group):
            self._spawn(p)
        self.started = True
        if wait:
            self.wait_healthy(timeout=timeout)
        return self

    def _prepare_topics(self) -> None:
        from confluent_kafka import Producer
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({**self.client, "log_level": 0})
        brokers = len(admin.list_topics(timeout=30).brokers)
        rf = self.rf or min(3, brokers)
        isr = self.min_isr if self.min_isr is not None else (2 if rf >= 3 else None)
        create_topics(admin, self.prefix, self.partitions, rf, isr)
        producer = Producer({**self.client, "acks": "all"})
        for pid, product in self.catalog.items():
            producer.produce(self.topic("products"), key=pid, value=encode(product))
        if producer.flush(30):
            raise ShopError("The catalog could not be written to Kafka within 30 s")

    def _proc(self, role: str, replica: int) -> Proc:
        name = role if self.mode == "kafka" else f"sync-{role}"
        return Proc(name, replica, free_port(), self.workdir / f"{name}-{replica}.log")

    def _spawn(self, p: Proc) -> None:
        cmd = [sys.executable, "-m", "kafkalab.lessons.shop.serve", p.role, "--port", str(p.port),
               "--replica", str(p.replica)]
        if p.role == "gateway" and self.plugin:
            cmd += ["--plugin", str(Path(self.plugin).resolve())]
        env = {"KAFKALAB_SHOP": json.dumps(self._settings()), "PYTHONUNBUFFERED": "1"}
        p.child = procs.Child(cmd, p.log, self.workdir, env, detached=self.detached)
        p.pid = p.child.pid

    def _all(self) -> list[Proc]:
        return [p for group in self.procs.values() for p in group]

    def wait_healthy(self, procs_: list[Proc] | None = None, timeout: float = 60.0) -> None:
        pending = list(procs_ or self._all())

        def healthy() -> bool:
            for p in list(pending):
                if not p.alive():
                    raise ShopError(f"{p.role}[{p.replica}] exited while starting. Its log "
                                    f"({p.log}):\n{p.log_tail()}")
                try:
                    if httpx.get(f"{p.url}/health", timeout=1.0).status_code == 200:
                        pending.remove(p)
                except httpx.HTTPError:
                    pass
            return not pending

        try:
            wait_until(healthy, timeout, "the shop's processes to be healthy", interval=0.1)
        except TimeoutError:
            p = pending[0]
            raise ShopError(f"{p.role}[{p.replica}] not healthy after {timeout} s. Its log "
                            f"({p.log}):\n{p.log_tail()}") from None

    def stop(self, timeout: float = 10.0) -> None:
        """A clean shutdown of every process at once (each closes its clients and leaves its
        group in parallel with the others); any still running after ``timeout`` s is
        SIGKILLed."""
        running = [p for p in self._all() if p.pid is not None]
        for p in running:
            procs.terminate(p.pid)
        deadline = time.monotonic() + timeout
        for p in running:
            if p.child is None:  # not started by this Shop: signalled above, nothing to wait on
                p.pid = None
                continue
            try:
                p.child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                p.child.kill(timeout)
            p.pid = None
        self.started = False

    close = stop

    def __enter__(self) -> Shop:
        return self if self.started else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _end(self, p: Proc, clean: bool) -> None:
        if p.pid is None:
            return
        if p.child is not None:
            if clean:
                p.child.stop(10)
            else:
                p.child.kill(10)
        else:
            (procs.terminate if clean else procs.kill)(p.pid)
        p.pid = None

    # ---- faults and scaling --------------------------------------------------------------------
    def proc(self, role: str, replica: int = 0) -> Proc:
        for p in self.procs.get(role, []):
            if p.replica == replica:
                return p
        raise KeyError(f"No {role} replica {replica}; running: {self.status()}")

    def kill(self, role: str, replica: int = 0) -> None:
        """SIGKILL one service process: no clean shutdown, no commit, no goodbye."""
        self._end(self.proc(role, replica), clean=False)

    def restart(self, role: str, replica: int = 0, wait: bool = True) -> None:
        p = self.proc(role, replica)
        if p.pid is not None and p.alive():
            return
        self._spawn(p)
        if wait:
            self.wait_healthy([p])

    def scale(self, role: str, count: int, wait: bool = True) -> None:
        """Run ``count`` replicas of a Kafka-side service (each joins the service's group)."""
        if self.mode != "kafka" or role not in KAFKA_SERVICES or role == "inventory":
            raise ShopError(f"Only orders, payments, shipping and notifications scale, not {role}")
        group = self.procs[role]
        leaving = group[count:]
        del group[count:]
        for p in leaving:  # all at once: each leaves the group cleanly (one rebalance)
            if p.pid is not None:
                procs.terminate(p.pid)
        for p in leaving:
            self._end(p, clean=True)
        new = []
        while len(group) < count:
            p = Proc(role, len(group), free_port(), self.workdir / f"{role}-{len(group)}.log")
            group.append(p)
            self._spawn(p)
            new.append(p)
        if wait and new:
            self.wait_healthy(new)

    def add_gateway(self, plugin: str | Path | None = None, timeout: float = 60.0) -> Proc:
        """Start one more gateway replica (its own port), with a plugin's endpoints added.

        It reads the shop's state back from Kafka like any gateway; the first gateway keeps
        running. Raises ShopError with the log when it cannot start (e.g. the plugin fails).
        """
        group = self.procs["gateway"]
        p = Proc("gateway", len(group), free_port(), self.workdir / f"gateway-{len(group)}.log")
        saved, self.plugin = self.plugin, str(plugin) if plugin else None
        try:
            self._spawn(p)
        finally:
            self.plugin = saved
        group.append(p)
        try:
            self.wait_healthy([p], timeout=timeout)
        except ShopError:
            self._end(p, clean=False)
            group.remove(p)
            raise
        return p

    def wait_assigned(self, role: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Wait until the replicas of ``role`` together own every partition exactly once
        (the group has settled after a scale or a restart); return their health."""
        seen: dict[str, Any] = {}

        def settled() -> list[dict[str, Any]] | None:
            seen["health"] = self.health(role)
            seen["parts"] = sorted(p for h in seen["health"] for p in h.get("partitions", []))
            return seen["health"] if seen["parts"] == list(range(self.partitions)) else None

        try:
            return wait_until(settled, timeout, f"{role} to own every partition", interval=0.2)
        except TimeoutError:
            raise ShopError(f"{role} replicas own partitions {seen['parts']} after {timeout} s, "
                            f"not each of 0..{self.partitions - 1} once") from None

    def pause(self, role: str) -> None:
        """Every replica of ``role`` stops fetching but stays in its group (a held backlog)."""
        for p in self.procs.get(role, []):
            httpx.post(f"{p.url}/pause", timeout=10)

    def resume(self, role: str) -> None:
        for p in self.procs.get(role, []):
            httpx.post(f"{p.url}/resume", timeout=10)

    # ---- looking inside --------------------------------------------------------------------
    def health(self, role: str) -> list[dict[str, Any]]:
        out = []
        for p in self.procs.get(role, []):
            try:
                out.append(httpx.get(f"{p.url}/health", timeout=2.0).json())
            except httpx.HTTPError as exc:
                out.append({"service": role, "replica": p.replica, "down": str(exc)})
        return out

    def status(self) -> list[dict[str, Any]]:
        return [{"role": p.role, "replica": p.replica, "pid": p.pid, "port": p.port,
                 "alive": p.pid is not None and p.alive(), "log": str(p.log)}
                for p in self._all()]

    def charge_attempts(self) -> Counter:
        """How many times the (simulated) card processor was asked to charge each order id:
        its own ledger, written by every payments process before it charges."""
        try:
            return Counter(self.ledger.read_text().split())
        except OSError:
            return Counter()

    def log(self, role: str, replica: int = 0, lines: int = 20) -> str:
        return self.proc(role, replica).log_tail(lines)
