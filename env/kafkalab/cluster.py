"""The Cluster: one object for every backend, with clients, topics, a description and faults."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
    ResourceType,
)

from . import tools
from .backends.base import Backend
from .backends.security import ApiKey, KeyPool, write_client_properties
from .describe import ClusterDescription, PartitionState
from .exceptions import (
    ClusterTimeoutError,
    ConfigError,
    ConfigReadError,
    ConfigWriteError,
    KafkaLabError,
)

#: the resource kinds :meth:`Cluster.configs` reads, and the admin API's name for each
CONFIG_KINDS: dict[str, ResourceType] = {"broker": ResourceType.BROKER,
                                         "topic": ResourceType.TOPIC,
                                         "group": ResourceType.GROUP}
_REFUSED_CODES = (KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.CLUSTER_AUTHORIZATION_FAILED,
            KafkaError.GROUP_AUTHORIZATION_FAILED)
_TIMEOUT_CODES = (KafkaError._TIMED_OUT, KafkaError.REQUEST_TIMED_OUT)
#: seconds :meth:`Cluster.consumer_config` waits at most for a new cluster's group coordinators
GROUPS_WAIT = 5.0


def _config_answer(request: Callable[[], Any], error: type[ConfigError], kind: str, name: str,
                   timeout: float) -> Any:
    """The result of one admin config request (a future), or ``error`` saying why not: no
    answer within ``timeout`` s, or the brokers' refusal (their error code and message)."""
    try:
        return request().result(timeout + 1.0)
    except FutureTimeout:
        raise error(kind, name, "no answer", timed_out=True, seconds=timeout) from None
    except KafkaException as exc:
        err = exc.args[0] if exc.args and isinstance(exc.args[0], KafkaError) else None
        code = err.code() if err is not None else None
        cause = (f"{err.name()}: {err.str()}" if err is not None else str(exc)).rstrip(".")
        raise error(kind, name, cause, timed_out=code in _TIMEOUT_CODES, seconds=timeout,
                    refused=code in _REFUSED_CODES) from exc


def config_resource_type(kind: str) -> ResourceType:
    """The admin API's resource type for ``kind`` ("broker", "topic" or "group")."""
    try:
        return CONFIG_KINDS[kind]
    except KeyError:
        raise ValueError(f"No configuration kind {kind!r}: the kinds are "
                         f"{', '.join(map(repr, CONFIG_KINDS))}.") from None


class Node:
    """A handle on one broker or ZooKeeper server, for fault injection."""

    def __init__(self, cluster: Cluster, kind: str, node_id: int) -> None:
        self._cluster, self.kind, self.id = cluster, kind, node_id

    def __repr__(self) -> str:
        state = "running" if self.running else "down"
        return f"<{self.kind} {self.id} ({state})>"

    @property
    def running(self) -> bool:
        return self._cluster._backend.running(self.kind, self.id)

    @property
    def status(self) -> str:
        """"running", "paused" or "down"."""
        return self._cluster._backend.status(self.kind, self.id)

    @property
    def pid(self) -> int | None:
        """The JVM's process id on this machine (local backend; None for docker/external)."""
        return self._cluster._backend.pid(self.kind, self.id)

    @property
    def ports(self) -> list[int]:
        """The ports it listens on, as clients reach them (client port first)."""
        return self._cluster._backend.ports(self.kind, self.id)

    def memory_bytes(self) -> int:
        """Resident memory of this node's process (0 when not measurable)."""
        return self._cluster._backend.node_rss(self.kind, self.id)

    def kill(self) -> None:
        """SIGKILL (container kill): no clean shutdown, as in a power cut."""
        self._cluster._backend.kill(self.kind, self.id)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): leadership moves away first."""
        self._cluster._backend.stop(self.kind, self.id)

    def pause(self) -> None:
        """Freeze the process (SIGSTOP / container pause): alive but silent."""
        self._cluster._backend.pause(self.kind, self.id)

    def resume(self) -> None:
        self._cluster._backend.resume(self.kind, self.id)

    def start(self, wait: bool = True, timeout: float = 60.0) -> None:
        """Start a stopped or killed node again (same id, same data)."""
        self._cluster._backend.restart(self.kind, self.id, timeout)
        if wait and self.kind == "broker":
            self._cluster.wait_until_brokers(contains=[self.id], timeout=timeout)

    def log_tail(self, lines: int = 30) -> str:
        return self._cluster._backend.log_tail(self.kind, self.id, lines)

    @property
    def log_dir(self) -> Path | None:
        """The folder this node keeps its data in, on this machine (a broker's ``log.dirs``:
        one sub-folder ``<topic>-<partition>`` of segment files per partition it hosts).
        None when its disk is not this machine's (docker, external clusters)."""
        return self._cluster._backend.log_dir(self.kind, self.id)


class Cluster:
    """A running Kafka cluster. Use :func:`kafkalab.start_cluster` to get one."""

    def __init__(self, backend: Backend, brokers: int, mode: str, owned: bool = True,
                 zookeepers: int = 0, extra_client_config: dict[str, str] | None = None,
                 on_stop: Callable[[Cluster], None] | None = None,
                 keys: KeyPool | None = None) -> None:
        self._backend, self.mode, self.owned = backend, mode, owned
        self._keys = keys
        self.broker_ids = list(range(1, brokers + 1))
        self.zookeeper_ids = list(range(1, zookeepers + 1)) if mode == "zookeeper" else []
        self._client_extra = dict(extra_client_config or backend.security or {})
        self._on_stop = on_stop
        self._admin: AdminClient | None = None
        self._created: set[str] = set()
        self._groups_ready = threading.Event()  # cleared while prepare_groups works
        self._groups_ready.set()
        self.closed = False

    # ---- addresses and clients ---------------------------------------------------------
    @property
    def bootstrap_servers(self) -> str:
        return self._backend.bootstrap_servers

    @property
    def zookeeper_connect(self) -> str | None:
        """host:port of ZooKeeper (mode='zookeeper' only)."""
        return self._backend.zookeeper_connect

    @property
    def backend(self) -> str:
        """"local", "docker" or "external"."""
        return self._backend.name

    @property
    def version(self) -> str:
        """The Kafka version its brokers run (the Java tools use the same one)."""
        return self._backend.version

    @property
    def security(self) -> dict[str, str]:
        """The client security settings (empty for a plaintext cluster)."""
        return dict(self._client_extra)

    def __repr__(self) -> str:
        zk = f", zookeeper={self.zookeeper_connect}" if self.zookeeper_connect else ""
        return (f"<Cluster {self.mode} {len(self.broker_ids)} broker(s) via {self.backend}: "
                f"{self.bootstrap_servers}{zk}>")

    def client_config(self, **overrides: Any) -> dict[str, Any]:
        """bootstrap.servers plus any security settings; keyword names use _ for .

        (``linger_ms=5`` is ``linger.ms``; pass a dict via ``**{"log_level": 0}`` style for the
        few librdkafka properties whose names contain an underscore.)
        """
        conf: dict[str, Any] = {"bootstrap.servers": self.bootstrap_servers, **self._client_extra}
        conf.update({k.replace("_", "."): v for k, v in overrides.items()})
        return conf

    def producer_config(self, **overrides: Any) -> dict[str, Any]:
        return self.client_config(**overrides)

    def consumer_config(self, group_id: str, **overrides: Any) -> dict[str, Any]:
        """A group consumer's settings (reading from the earliest offset when the group has
        none). On a new cluster this first waits (at most :data:`GROUPS_WAIT` s, about 0.2 s
        in practice) until :meth:`prepare_groups` has seen a group coordinator answer."""
        self._groups_ready.wait(GROUPS_WAIT)
        return self.client_config(**{"group_id": group_id, "auto_offset_reset": "earliest",
                                     **overrides})

    def producer(self, **overrides: Any) -> Producer:
        return Producer(self.producer_config(**overrides))

    def consumer(self, group_id: str, topics: list[str] | None = None,
                 **overrides: Any) -> Consumer:
        consumer = Consumer(self.consumer_config(group_id, **overrides))
        if topics:
            consumer.subscribe(topics)
        return consumer

    def admin(self) -> AdminClient:
        if self._admin is None:
            self._admin = AdminClient({**self.client_config(reconnect_backoff_max_ms=500),
                                       "log_level": 0})
        return self._admin

    def prepare_groups(self, timeout: float = 5.0) -> threading.Thread:
        """Have the brokers create the group coordinators' topic (``__consumer_offsets``) and
        load its partitions now, in the background; :meth:`consumer_config` waits for it.
        Returns at once (the thread, to join if one must know it is done).

        Why: a new cluster creates that topic on the first consumer group's request, and a
        group that asks while its coordinator is still loading gets ``NOT_COORDINATOR`` and
        waits about 3 s (librdkafka 2.x) before it joins again. Measured on 2 cores: the
        first consumer of a new 1-broker cluster read its first record after 3.2 s, and after
        0.22 s once a coordinator had answered (about 0.15 s after the cluster was ready).

        A consumer with a group id asks its coordinator for committed offsets until one
        answers (asking is what makes the brokers create the topic). (The admin API's group
        requests were tried first: on a new ZooKeeper-mode cluster they hang until their
        timeout, and a librdkafka admin request timing out once aborted a kernel.)"""
        self._groups_ready.clear()

        def run() -> None:
            consumer = None
            try:
                consumer = Consumer({**self.client_config(), "group.id": "kafka-lab-prepare",
                                     "enable.auto.commit": False, "log_level": 0})
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and not self.closed:
                    try:
                        consumer.committed([TopicPartition("kafka-lab-prepare", 0)],
                                           timeout=0.5)
                        return
                    except KafkaException:  # no coordinator yet (or still loading): again
                        time.sleep(0.05)
            finally:
                self._groups_ready.set()
                if consumer is not None:
                    consumer.close()

        thread = threading.Thread(target=run, name="kafka-lab-prepare-groups", daemon=True)
        thread.start()
        return thread

    # ---- topics -----------------------------------------------------------------------
    def create_topic(self, name: str | None = None, partitions: int = 1,
                     replication_factor: int | None = None,
                     min_insync_replicas: int | None = None,
                     config: dict[str, str] | None = None, prefix: str = "topic",
                     timeout: float = 30.0, replicas: list[list[int]] | None = None) -> str:
        """Create a topic and wait until every partition has a leader; return its name.

        With no name, a unique one (``prefix-<8 hex>``) is made, so re-running a cell never
        collides. The replication factor defaults to min(3, brokers). ``replicas`` places each
        partition's replicas explicitly (``[[leader, follower, ...], ...]``, one list per
        partition; the first broker listed is the preferred leader).
        """
        name = name or f"{prefix}-{uuid.uuid4().hex[:8]}"
        conf = dict(config or {})
        if min_insync_replicas is not None:
            conf["min.insync.replicas"] = str(min_insync_replicas)
        if replicas is not None:
            partitions = len(replicas)
            new = NewTopic(name, partitions, replication_factor=-1, replica_assignment=replicas,
                           config=conf)
        else:
            rf = replication_factor or min(3, len(self.broker_ids))
            new = NewTopic(name, partitions, rf, config=conf)
        futures = self.admin().create_topics([new], request_timeout=timeout)
        try:
            futures[name].result(timeout)
        except Exception as exc:
            raise KafkaLabError(reason=f"Could not create topic {name!r}: {exc}.",
                                fix="read the broker's reason; a replication factor above the "
                                "number of live brokers is the usual one.") from exc
        self.wait_until(lambda d: len(d.topic(name)) == partitions
                        and all(p.leader >= 0 for p in d.topic(name)),
                        what=f"topic {name} to have leaders", topics=[name], timeout=timeout)
        self._created.add(name)
        return name

    def delete_topics(self, *names: str, timeout: float = 30.0) -> None:
        if names:
            for fut in self.admin().delete_topics(list(names), request_timeout=timeout).values():
                fut.result(timeout)

    def topics(self) -> list[str]:
        md = self.admin().list_topics(timeout=10)
        return sorted(t for t in md.topics if not t.startswith("__"))

    # ---- configuration ------------------------------------------------------------------
    def configs(self, kind: str, name: str | int, timeout: float = 10.0) -> dict[str, str]:
        """One resource's configuration as the brokers describe it (admin DescribeConfigs):
        every setting's name and the value in force (the resource's own or the default).

        ``kind`` is "broker" (``name`` its id), "topic" or "group" (group configs, such as a
        share group's, need Kafka 4 in KRaft mode). Settings without a value (unset ones with
        no default, and those the broker hides, such as passwords) are left out. A change made
        a moment ago (``incremental_alter_configs``) may not show yet: the broker answering
        learns it from the controller shortly after. Raises ValueError for another kind, and
        ConfigReadError when no broker answers within ``timeout`` s or the brokers refuse (an
        unknown topic, a key without the right to describe it)."""
        res = ConfigResource(config_resource_type(kind), str(name))
        entries = _config_answer(
            lambda: self.admin().describe_configs([res], request_timeout=timeout)[res],
            ConfigReadError, kind, str(name), timeout)
        return {k: e.value for k, e in sorted(entries.items()) if e.value is not None}

    def set_configs(self, kind: str, name: str | int, values: dict[str, Any],
                    timeout: float = 30.0) -> dict[str, str]:
        """Set ``values`` on one resource (admin IncrementalAlterConfigs, each a SET; booleans
        become "true"/"false") and return its configuration (:meth:`configs`) once the brokers
        describe the new values: the broker that answers learns an accepted change from the
        controller a moment later, and a client that starts before that gets the old values.
        Raises ValueError for another kind, and ConfigWriteError when the brokers refuse the
        change or do not describe it within ``timeout`` s."""
        wanted = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.items()}
        res = ConfigResource(config_resource_type(kind), str(name), incremental_configs=[
            ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
            for k, v in wanted.items()])
        what = (kind, str(name))
        _config_answer(
            lambda: self.admin().incremental_alter_configs([res], request_timeout=timeout)[res],
            ConfigWriteError, *what, timeout)
        return self.wait_for_configs(kind, name, wanted, timeout)

    def wait_for_configs(self, kind: str, name: str | int, wanted: dict[str, str],
                         timeout: float = 30.0) -> dict[str, str]:
        """The resource's configuration (:meth:`configs`) once the brokers describe every
        value of ``wanted`` (after a change made with :meth:`set_configs` or by hand with the
        admin API). A setting they do not describe for this kind cannot be waited for and is
        taken as applied. Raises ConfigWriteError when they still do not after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.configs(kind, name, timeout=max(1.0, deadline - time.monotonic()))
            if all(now.get(k, v) == v for k, v in wanted.items()):
                return now
            if time.monotonic() > deadline:
                raise ConfigWriteError(kind, str(name), "accepted, but the brokers still "
                                       f"describe { {k: now.get(k) for k in wanted} }",
                                       timed_out=True, seconds=timeout)
            time.sleep(0.05)

    # ---- description --------------------------------------------------------------------
    def describe(self, topics: list[str] | None = None, timeout: float = 10.0,
                 internal: bool = False) -> ClusterDescription:
        """Brokers, controller and each partition's leader, replicas and ISR, as of now.

        Metadata comes from whichever broker answers; a topic this cluster object created but
        that broker has not learnt of yet is waited for (brokers learn new topics a moment
        apart, notably in ZooKeeper mode), so describe() right after create_topic() sees it.
        """
        md = self.admin().list_topics(timeout=timeout)
        deadline = time.monotonic() + timeout
        while topics and time.monotonic() < deadline and any(
                t in self._created and (t not in md.topics or not md.topics[t].partitions
                                        or md.topics[t].error is not None) for t in topics):
            time.sleep(0.05)
            md = self.admin().list_topics(timeout=timeout)
        brokers = {b.id: f"{b.host}:{b.port}" for b in md.brokers.values()}
        parts = []
        for t in sorted(md.topics.values(), key=lambda t: t.topic):
            if topics is not None and t.topic not in topics:
                continue
            if topics is None and t.topic.startswith("__") and not internal:
                continue
            for p in sorted(t.partitions.values(), key=lambda p: p.id):
                parts.append(PartitionState(t.topic, p.id, p.leader, tuple(p.replicas),
                                            tuple(p.isrs)))
        controller, kind = self._controller(md.controller_id)
        return ClusterDescription(brokers, controller, kind, parts, tuple(self.broker_ids))

    def _controller(self, metadata_controller: int) -> tuple[int | None, str]:
        if self.mode == "zookeeper":
            return metadata_controller, "ZooKeeper /controller"
        state = self._backend.quorum_state()
        if state is not None:
            return state["leaderId"], "KRaft active controller"
        # In KRaft a broker reports a random live broker as "controller" (KIP-590).
        known = metadata_controller if metadata_controller >= 0 else None
        return known, "metadata (KRaft: a random broker, not the active controller)"

    def controller(self) -> int | None:
        return self.describe(topics=[]).controller

    def leader(self, topic: str, partition: int = 0) -> int:
        return self.describe(topics=[topic]).leader(topic, partition)

    # ---- waiting without sleeps ------------------------------------------------------------
    def wait_until(self, predicate: Callable[[ClusterDescription], bool], timeout: float = 30.0,
                   what: str = "the cluster to reach the expected state",
                   topics: list[str] | None = None, interval: float = 0.1) -> ClusterDescription:
        """Poll :meth:`describe` until ``predicate(description)`` holds; return that description."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while True:
            try:
                desc = self.describe(topics=topics, timeout=min(5.0, timeout))
                if predicate(desc):
                    return desc
            except Exception as exc:  # a broker may be down mid-wait; keep polling
                last = exc
                self._admin = None  # its connection may hang on a paused broker: start afresh
            if time.monotonic() > deadline:
                raise ClusterTimeoutError(what, timeout, f"Last error: {last}" if last else "")
            time.sleep(interval)

    def wait_until_brokers(self, count: int | None = None, contains: list[int] | None = None,
                           excludes: list[int] | None = None,
                           timeout: float = 60.0) -> ClusterDescription:
        """Wait until the metadata lists ``count`` brokers / these ids / none of those ids."""
        def ok(d: ClusterDescription) -> bool:
            return ((count is None or len(d.brokers) == count)
                    and all(b in d.brokers for b in contains or [])
                    and not any(b in d.brokers for b in excludes or []))
        return self.wait_until(ok, timeout, f"brokers count={count} contains={contains} "
                               f"excludes={excludes}", topics=[])

    def wait_until_ready(self, timeout: float = 60.0) -> ClusterDescription:
        return self.wait_until_brokers(count=len(self.broker_ids), timeout=timeout)

    def wait_until_leader(self, topic: str, partition: int = 0, not_on: int | None = None,
                          timeout: float = 30.0) -> int:
        """Wait until the partition has a leader (other than ``not_on``); return its id."""
        desc = self.wait_until(lambda d: d.leader(topic, partition) >= 0
                               and d.leader(topic, partition) != not_on, timeout,
                               f"{topic}[{partition}] to elect a leader other than {not_on}",
                               topics=[topic])
        return desc.leader(topic, partition)

    def wait_until_isr(self, topic: str, partition: int = 0, size: int | None = None,
                       contains: list[int] | None = None, excludes: list[int] | None = None,
                       timeout: float = 60.0) -> tuple[int, ...]:
        """Wait until the ISR has ``size`` members / includes / excludes these ids."""
        def ok(d: ClusterDescription) -> bool:
            isr = d.isr(topic, partition)
            return ((size is None or len(isr) == size) and all(b in isr for b in contains or [])
                    and not any(b in isr for b in excludes or []))
        desc = self.wait_until(ok, timeout, f"ISR of {topic}[{partition}] size={size} "
                               f"contains={contains} excludes={excludes}", topics=[topic])
        return desc.isr(topic, partition)

    def wait_until_controller(self, not_on: int | None = None, timeout: float = 60.0) -> int:
        """Wait until a controller other than ``not_on`` is known; return its id."""
        desc = self.wait_until(lambda d: d.controller is not None and d.controller >= 0
                               and d.controller != not_on, timeout,
                               f"a controller other than {not_on}", topics=[])
        assert desc.controller is not None
        return desc.controller

    # ---- faults ---------------------------------------------------------------------------
    def broker(self, broker_id: int) -> Node:
        if broker_id not in self.broker_ids:
            raise KeyError(f"No broker {broker_id}; this cluster has brokers {self.broker_ids}")
        return Node(self, "broker", broker_id)

    @property
    def brokers(self) -> list[Node]:
        return [Node(self, "broker", b) for b in self.broker_ids]

    def zookeeper(self, node_id: int = 1) -> Node:
        if node_id not in self.zookeeper_ids:
            raise KeyError(f"No ZooKeeper {node_id}; this cluster has {self.zookeeper_ids}")
        return Node(self, "zookeeper", node_id)

    @property
    def nodes(self) -> list[Node]:
        """Every broker, then every ZooKeeper server (the order a clean shutdown wants)."""
        return [*self.brokers, *(Node(self, "zookeeper", z) for z in self.zookeeper_ids)]

    def start_brokers(self, ids: list[int], timeout: float = 60.0) -> None:
        """Start these stopped or killed brokers at once (their JVMs boot in parallel) and
        wait until the metadata lists them again."""
        for b in ids:
            self.broker(b)  # a clear KeyError for an unknown id
        self._backend.start_many("broker", list(ids), timeout)
        self.wait_until_brokers(contains=list(ids), timeout=timeout)

    def heal(self, timeout: float = 60.0) -> None:
        """Undo every fault: resume paused nodes, start stopped ones (ZooKeeper first), and
        wait until every broker is back in the metadata."""
        for kind, ids in (("zookeeper", self.zookeeper_ids), ("broker", self.broker_ids)):
            for i in ids:
                if self._backend.status(kind, i) == "paused":
                    self._backend.resume(kind, i)
            down = [i for i in ids if self._backend.status(kind, i) == "down"]
            if down:
                self._backend.start_many(kind, down, timeout)
        self.wait_until_brokers(contains=self.broker_ids, timeout=timeout)

    # ---- Kafka's own tools --------------------------------------------------------------
    def run_tool(self, main_class: str, *args: str, timeout: float = 90.0, bootstrap: bool = True,
                 check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one of Kafka's Java tools (e.g. ``org.apache.kafka.tools.consumer.group.
        ConsumerGroupCommand``) on the jars of this cluster's Kafka version, with
        ``--bootstrap-server`` (unless ``bootstrap=False``) and ``--command-config`` holding the
        cluster's security settings when it has any. Raises ToolError on a non-zero exit unless
        ``check=False``."""
        return tools.run_tool(self.version, main_class, list(args),
                              self.bootstrap_servers if bootstrap else None,
                              self._client_extra if bootstrap else None, timeout, check)

    # ---- a managed-style cluster (security="managed"): keys, client files, quotas ----------
    def create_api_key(self, name: str) -> ApiKey:
        """A new API key and secret for ``name`` (a service, a student). It logs in, but may do
        nothing until ACLs for ``User:<key>`` allow it (``admin().create_acls``)."""
        if self._keys is None:
            raise KafkaLabError(reason="This cluster has no API keys to issue (it was not "
                                "started with security='managed').",
                                fix="start_cluster(security='managed'); on a real managed "
                                "service, create keys in its console or CLI.")
        return self._keys.issue(name)

    def client_properties(self, api_key: ApiKey, path: str | Path) -> Path:
        """Write a ``client.properties`` for ``api_key`` in Confluent Cloud's shape
        (bootstrap.servers, SASL_SSL, PLAIN, key and secret, plus this cluster's CA file when
        it has one); load it with :func:`kafkalab.backends.security.read_client_properties`."""
        return write_client_properties(path, self.bootstrap_servers, api_key,
                                       self._client_extra.get("ssl.ca.location"))

    def set_quota(self, user: str, producer_byte_rate: int | None = None,
                  consumer_byte_rate: int | None = None) -> None:
        """Set (a number) or remove (0) byte-rate quotas for the principal ``User:<user>``
        (an API key), with Kafka's kafka-configs tool (the Python client has no quota API)."""
        rates = {"producer_byte_rate": producer_byte_rate,
                 "consumer_byte_rate": consumer_byte_rate}
        add = ",".join(f"{k}={v}" for k, v in rates.items() if v)
        drop = ",".join(k for k, v in rates.items() if v == 0)
        args = ["--alter", "--entity-type", "users", "--entity-name", user]
        if add:
            self.run_tool("org.apache.kafka.tools.ConfigCommand", *args, "--add-config", add)
        if drop:
            self.run_tool("org.apache.kafka.tools.ConfigCommand", *args, "--delete-config", drop)

    def quotas(self, user: str) -> dict[str, float]:
        """The quotas set for ``User:<user>`` (e.g. {"producer_byte_rate": 1048576.0})."""
        out = self.run_tool("org.apache.kafka.tools.ConfigCommand", "--describe",
                            "--entity-type", "users", "--entity-name", user).stdout
        found: dict[str, float] = {}
        for part in out.replace(",", " ").split():
            name, _, value = part.partition("=")
            if name.endswith("_rate") or name.endswith("_percentage"):
                found[name] = float(value)
        return found

    # ---- resources and lifecycle ------------------------------------------------------------
    def memory_bytes(self) -> int:
        """Total resident memory of the cluster's processes (0 when not measurable)."""
        return self._backend.rss_bytes()

    def state(self) -> dict:
        """A JSON-able record of the cluster's nodes (what `kafka-lab up` saves to attach to
        later)."""
        return self._backend.state()

    def alive(self) -> bool:
        if self.closed:
            return False
        try:
            self.admin().list_topics(timeout=3)
            return True
        except Exception:
            return False

    def stop(self, keep_files: bool = False) -> None:
        """Stop every node this process started; a cluster it only joined is left running.
        ``keep_files`` keeps the nodes' data and logs on disk (local backend)."""
        if self.closed:
            return
        self.closed = True
        self._admin = None
        if self.owned:
            self._backend.close(keep_files=keep_files)
        if self._on_stop is not None:
            self._on_stop(self)

    close = stop

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
