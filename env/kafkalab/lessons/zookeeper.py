"""Lesson 05 support: read Kafka's znodes with kazoo and record a live timeline of their changes.

ZooKeeper mode only (Kafka 3.x): the brokers register ephemeral ``/brokers/ids/<id>`` znodes,
race for the ephemeral ``/controller`` znode, and the controller writes each partition's
``/brokers/topics/<t>/partitions/<p>/state``. :class:`Timeline` watches those znodes (kazoo
watches, re-armed after every change) and stamps each change with the time it was seen.

For both modes (ZooKeeper and KRaft): :func:`measure_failover` times a controller kill with the
admin API, :func:`restore` brings killed brokers back, :func:`moving_parts` lists the processes
and their ports, :func:`metadata_quorum` runs Kafka's ``kafka-metadata-quorum`` tool.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kazoo.client import KazooClient

LANES = ("you", "/brokers/ids", "/controller")


def connect(hosts: str, timeout: float = 15.0) -> KazooClient:
    """A started kazoo client for ``hosts`` (``cluster.zookeeper_connect``)."""
    if not hosts:
        raise ValueError("No ZooKeeper address: start the cluster with mode='zookeeper' and pass "
                         "cluster.zookeeper_connect.")
    zk = KazooClient(hosts=hosts, timeout=timeout)
    zk.start(timeout=timeout)
    return zk


def decode(data: bytes | None) -> Any:
    """A znode's bytes as JSON when they parse, else as text (None for no data)."""
    if not data:
        return None
    text = data.decode(errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def read(zk: KazooClient, path: str) -> Any:
    """The decoded content of one znode (raises kazoo's NoNodeError when it does not exist)."""
    data, _ = zk.get(path)
    return decode(data)


def znode_rows(zk: KazooClient, path: str = "/", depth: int = 6,
               skip: tuple[str, ...] = ("/zookeeper",)) -> list[dict[str, Any]]:
    """Every znode under ``path`` (depth-first): path, ephemeral or not, size and content."""
    rows: list[dict[str, Any]] = []

    def walk(p: str, level: int) -> None:
        for child in sorted(zk.get_children(p)):
            q = f"{p.rstrip('/')}/{child}"
            if q in skip:
                continue
            try:
                data, stat = zk.get(q)
            except Exception:  # vanished between listing and reading
                continue
            text = (data or b"").decode(errors="replace")
            rows.append({"path": q, "ephemeral": stat.ephemeralOwner != 0,
                         "session": hex(stat.ephemeralOwner) if stat.ephemeralOwner else "",
                         "bytes": stat.dataLength, "version": stat.version,
                         "data": text[:90] + ("…" if len(text) > 90 else "")})
            if level < depth:
                walk(q, level + 1)

    walk(path, 1)
    return rows


def znode_table(zk: KazooClient, path: str = "/", depth: int = 6):  # noqa: ANN201 - pandas
    """:func:`znode_rows` as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(znode_rows(zk, path, depth))


def server_stats(zk: KazooClient) -> dict[str, str]:
    """ZooKeeper's own counters (the ``mntr`` four-letter command): znodes, data size, ..."""
    out = zk.command(b"mntr")
    stats = {}
    for line in out.splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            stats[k] = v
    return stats


@dataclass(frozen=True)
class Event:
    t: float  # seconds since the timeline started
    lane: str
    label: str
    data: Any = None


@dataclass
class Timeline:
    """Watches broker registrations, the controller and partition states; records each change.

    ``mark(label)`` records an action of yours (a kill, a restart) in the same clock.
    Topics whose names start with ``__`` are skipped unless ``internal=True``.
    """

    zk: KazooClient
    internal: bool = False
    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.t0 = time.monotonic()
        self._lock = threading.Condition()
        self._stopped = False
        self._topics: set[str] = set()
        self._ids: set[int] | None = None
        self._seen_topics = False
        self.zk.ChildrenWatch("/brokers/ids", self._on_brokers)
        self.zk.DataWatch("/controller", self._on_controller)
        self.zk.ChildrenWatch("/brokers/topics", self._on_topics)

    # ---- recording -------------------------------------------------------------------------
    def _record(self, lane: str, label: str, data: Any = None) -> None:
        with self._lock:
            self.events.append(Event(round(time.monotonic() - self.t0, 3), lane, label, data))
            self._lock.notify_all()

    def mark(self, label: str) -> None:
        """Record something you did, e.g. ``timeline.mark("kill broker 2")``."""
        self._record("you", label)

    def _on_brokers(self, children: list[str]) -> bool:
        if self._stopped:
            return False
        ids = {int(c) for c in children}
        old, self._ids = self._ids, ids
        if old is None:
            label = f"registered {sorted(ids)}"
        else:
            gone, new = sorted(old - ids), sorted(ids - old)
            label = " ".join([f"-{b}" for b in gone] + [f"+{b}" for b in new]) or "no change"
        self._record("/brokers/ids", label, sorted(ids))
        return True

    def _on_controller(self, data: bytes | None, stat: Any) -> bool:
        if self._stopped:
            return False
        content = decode(data)
        broker = content.get("brokerid") if isinstance(content, dict) else None
        self._record("/controller", "deleted" if broker is None else f"broker {broker}", broker)
        return True

    def _on_topics(self, children: list[str]) -> bool:
        if self._stopped:
            return False
        first, self._seen_topics = not self._seen_topics, True
        for topic in sorted(set(children) - self._topics):
            if topic.startswith("__") and not self.internal:
                continue
            self._topics.add(topic)
            threading.Thread(target=self._watch_topic, args=(topic, first), daemon=True).start()
        return True

    def _watch_topic(self, topic: str, existing: bool) -> None:
        deadline = time.monotonic() + 10
        assignment = None
        while assignment is None and time.monotonic() < deadline and not self._stopped:
            try:
                assignment = read(self.zk, f"/brokers/topics/{topic}")
            except Exception:
                time.sleep(0.05)
        parts = sorted(int(p) for p in (assignment or {}).get("partitions", {}))
        what = "existing" if existing else "created"
        self._record(f"{topic}", f"{what}, {len(parts)} partition(s)", assignment)
        for p in parts:
            self.zk.DataWatch(f"/brokers/topics/{topic}/partitions/{p}/state",
                              self._state_watcher(topic, p))

    def _state_watcher(self, topic: str, p: int) -> Callable[[bytes | None, Any], bool]:
        def on_state(data: bytes | None, stat: Any) -> bool:
            if self._stopped:
                return False
            if data is not None:
                s = decode(data)
                self._record(f"{topic}[{p}]", f"L{s['leader']} isr{s['isr']}", s)
            return True
        return on_state

    # ---- reading ---------------------------------------------------------------------------
    def wait_for(self, lane: str, predicate: Callable[[Event], bool],
                 timeout: float = 30.0, after: float = 0.0) -> Event:
        """Block until an event in ``lane`` (seen at or after ``after``) satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for e in self.events:
                    if e.lane == lane and e.t >= after and predicate(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"No matching event in {lane!r} within {timeout} s; "
                                       f"last events: {self.events[-5:]}")
                self._lock.wait(min(left, 0.2))

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 3)

    def to_dataframe(self):  # noqa: ANN201 - pandas is imported lazily
        import pandas as pd

        return pd.DataFrame([{"t (s)": e.t, "lane": e.lane, "event": e.label}
                             for e in self.events])

    def plot(self, ax=None, since: float = 0.0):  # noqa: ANN001, ANN201 - matplotlib lazily
        """One row per znode family, one labelled dot per change, your actions as red lines."""
        import matplotlib.pyplot as plt

        events = [e for e in self.events if e.t >= since]
        lanes = list(LANES) + sorted({e.lane for e in events} - set(LANES))
        if ax is None:
            _, ax = plt.subplots(figsize=(13, 0.7 * len(lanes) + 1.8))
        row = {lane: i for i, lane in enumerate(lanes)}
        span = max([e.t for e in events] + [1.0]) - since
        last: dict[str, tuple[float, int]] = {}
        for e in events:
            if e.lane == "you":
                ax.axvline(e.t, color="tab:red", alpha=0.35, lw=1)
            ax.plot(e.t, row[e.lane], "o", color="tab:red" if e.lane == "you" else "tab:blue")
            prev_t, level = last.get(e.lane, (-1e9, -1))
            level = level + 1 if e.t - prev_t < span / 25 else 0  # stagger crowded labels
            last[e.lane] = (e.t, level)
            ax.annotate(e.label, (e.t, row[e.lane]), xytext=(3, 5 - 9 * (level % 3)),
                        textcoords="offset points", fontsize=7)
        ax.set_yticks(range(len(lanes)))
        ax.set_yticklabels(lanes)
        ax.set_ylim(len(lanes) - 0.4, -0.6)
        ax.set_xlabel("seconds since the watch started")
        ax.set_title("What ZooKeeper saw (blue) after what you did (red)")
        ax.grid(axis="x", alpha=0.3)
        return ax

    def close(self) -> None:
        """Stop recording (the watches end at their next change)."""
        self._stopped = True


# ---- both modes: failover timing and moving parts -------------------------------------------
def describe_topics(cluster: Any, topics: list[str], timeout: float = 30.0) -> Any:
    """A description in which every named topic has a leader for each partition. (Brokers learn
    about a new topic one after the other, so right after creation one may not know it yet.)"""
    return cluster.wait_until(lambda d: all(d.topic(t) and all(p.leader >= 0 for p in d.topic(t))
                                            for t in topics), timeout,
                              f"{topics} to be known with leaders", topics=topics)


def measure_failover(cluster: Any, topic: str, victim: int | None = None,
                     timeout: float = 60.0) -> dict[str, Any]:
    """SIGKILL ``victim`` (default: the controller) and time, from the kill, until the admin
    API reports (a) a controller other than the victim and (b) a new leader for every partition
    of ``topic`` the victim led. The victim stays down (:func:`restore` starts it again)."""
    before = describe_topics(cluster, [topic])
    victim = before.controller if victim is None else victim
    was_controller = victim == before.controller
    led = [p.partition for p in before.topic(topic) if p.leader == victim]
    t0 = time.monotonic()
    cluster.broker(victim).kill()
    new_controller = (cluster.wait_until_controller(not_on=victim, timeout=timeout)
                      if was_controller else before.controller)
    t_controller = time.monotonic() - t0
    cluster.wait_until(lambda d: all(d.leader(topic, p) not in (victim, -1) for p in led),
                       timeout, f"{topic}'s partitions to leave broker {victim}", topics=[topic])
    t_leaders = time.monotonic() - t0
    return {"mode": cluster.mode, "killed": victim, "was controller": was_controller,
            "new controller": new_controller, "partitions it led": len(led),
            "new controller after (s)": round(t_controller, 2) if was_controller else None,
            "new leaders after (s)": round(t_leaders, 2) if led else None}


def restore(cluster: Any, topics: list[str], timeout: float = 120.0) -> float:
    """Start every stopped broker, wait until the ``topics``' ISRs are full again,
    then run a preferred leader election so leadership is spread as at creation. Returns
    the seconds it took."""
    from confluent_kafka import ElectionType, TopicPartition

    t0 = time.monotonic()
    down = [b for b in cluster.broker_ids if not cluster.broker(b).running]
    if down:
        # ZooKeeper mode refuses a broker whose old ephemeral znode has not expired yet.
        cluster.wait_until_brokers(excludes=down, timeout=timeout)
        _start_all(cluster, down, timeout)
        cluster.wait_until_brokers(contains=down, timeout=timeout)
    desc = cluster.wait_until(lambda d: d.partitions and all(len(p.isr) == len(p.replicas)
                                                             for p in d.partitions),
                              timeout, f"the ISRs of {topics} to be full", topics=topics)
    parts = [TopicPartition(p.topic, p.partition) for p in desc.partitions]
    try:
        cluster.admin().elect_leaders(ElectionType.PREFERRED, parts).result(timeout=30)
    except Exception:  # ELECTION_NOT_NEEDED and friends: the wait below decides
        pass
    cluster.wait_until(lambda d: d.partitions and all(p.leader == p.replicas[0]
                                                      for p in d.partitions),
                       timeout, f"the preferred leaders of {topics}", topics=topics)
    return round(time.monotonic() - t0, 2)


def _start_all(cluster: Any, ids: list[int], timeout: float) -> None:
    """Start brokers at once when the local backend allows it (the JVMs boot in parallel),
    else one by one. Never from a worker thread: the local backend ties each JVM's life to
    the thread that spawned it (PR_SET_PDEATHSIG)."""
    backend = cluster._backend
    if hasattr(backend, "_spawn") and hasattr(backend, "_wait_ports"):
        nodes = [backend.node("broker", b) for b in ids]
        for n in nodes:
            if not n.alive():
                backend._spawn(n)
        backend._wait_ports(nodes, timeout)
    else:
        for b in ids:
            cluster.broker(b).start(wait=False, timeout=timeout)


def broker_setting(cluster: Any, broker_id: int, name: str) -> str | None:
    """One broker configuration value as the broker reports it (admin DescribeConfigs)."""
    from confluent_kafka.admin import ConfigResource

    res = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
    configs = cluster.admin().describe_configs([res])[res].result(timeout=10)
    entry = configs.get(name)
    return None if entry is None else entry.value


def moving_parts(cluster: Any) -> list[dict[str, Any]]:
    """Each process of a local-backend cluster: kind, id, pid, listening TCP ports, memory."""
    import psutil

    nodes = getattr(cluster._backend, "nodes", None)
    if nodes is None:
        raise RuntimeError("moving_parts() needs a cluster started on this machine "
                           "(backend='local'); it reads the processes' ports and memory.")
    rows = []
    for n in nodes:
        if n.pid is None:
            continue
        proc = psutil.Process(n.pid)
        conns = proc.net_connections(kind="tcp")
        ports = sorted({c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN})
        rows.append({"process": f"{n.kind} {n.node_id}", "pid": n.pid,
                     "listening ports": ports, "MB resident": proc.memory_info().rss >> 20})
    return rows


def metadata_quorum(cluster: Any, *args: str, timeout: float = 60.0) -> str:
    """Run Kafka's own ``kafka-metadata-quorum`` tool (``describe --status`` by default)."""
    import subprocess

    from ..jars import ensure_jars
    from ..java import find_java

    libs = ensure_jars("kafka-4.4.0")
    cmd = [str(find_java()), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
           "-Dlog4j2.level=error", "-cp", str(libs / "*"),
           "org.apache.kafka.tools.MetadataQuorumCommand",
           "--bootstrap-server", cluster.bootstrap_servers, *(args or ("describe", "--status"))]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"kafka-metadata-quorum failed: {out.stderr.strip()[-400:]}")
    return out.stdout
