"""start_cluster(): the one entry point. Picks a backend, reuses what is already running."""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import backends
from .backends.external import ExternalBackend, external_from_env
from .backends.plan import ClusterSpec, Mode
from .backends.security import ManagedSecurity
from .cluster import Cluster
from .exceptions import DockerUnavailableError, KafkaLabError
from .jars import cache_dir

MODES = tuple(m.value for m in Mode)
BACKENDS = backends.NAMES
SECURITY = ("none", "managed")
_running: dict[tuple, Cluster] = {}


def state_file() -> Path:
    """Where `kafka-lab up` records the cluster it leaves running (KAFKA_LAB_STATE)."""
    return Path(os.environ.get("KAFKA_LAB_STATE") or cache_dir() / "up.json")


def read_state() -> dict | None:
    try:
        return json.loads(state_file().read_text())
    except (OSError, ValueError):
        return None


def attach_up(owned: bool = False) -> Cluster | None:
    """The cluster `kafka-lab up` left running (None when there is none or a node is gone).

    With ``owned``, ``stop()`` on it stops its processes (what `kafka-lab down` does);
    otherwise the cluster is only joined and stays up.
    """
    state = read_state()
    if not state or state.get("backend", "local") != "local":
        return None
    from .backends.local import LocalBackend

    backend = LocalBackend.attach(state)
    return Cluster(backend, state["brokers"], backend.mode.value, owned=owned,
                   zookeepers=state.get("zookeepers", 0), on_stop=_forget)


def _attach_up_matching(brokers: int, mode: str) -> Cluster | None:
    state = read_state()
    if not state or state.get("mode") != mode or state.get("brokers") != brokers:
        return None
    cluster = attach_up()
    if cluster is None or not all(n.running for n in cluster.nodes):
        return None
    return cluster if cluster.alive() else None


def start_cluster(brokers: int = 1, mode: str = "kraft", backend: str = "auto", *,
                  zookeepers: int = 1, bootstrap_servers: str | None = None,
                  heap_mb: int = 256, broker_config: dict[str, str] | None = None,
                  ports: list[int] | None = None, image: str | None = None,
                  timeout: float = 120.0, reuse: bool = True, detached: bool = False,
                  jvm_flags: tuple[str, ...] | list[str] = (), security: str = "none") -> Cluster:
    """Start (or find) a real Kafka cluster and return it, ready to answer metadata.

    ``brokers``: 1 or more. ``mode``: "kraft" (Kafka 4, default) or "zookeeper" (Kafka 3.9 with
    ``zookeepers`` real ZooKeeper servers). ``backend``: "auto" (an external cluster named by
    KAFKA_BOOTSTRAP_SERVERS or ``bootstrap_servers``, else a cluster left running by
    `kafka-lab up` unless KAFKA_LAB_FRESH is set, as the grader does, else local
    JVMs when Java 17+ is found, else Docker), "local", "docker" or "external". With ``reuse``
    (default), calling it again with the same arguments in the same process returns the running
    cluster instead of starting a second one. ``jvm_flags`` go on every broker's command line.

    ``security="managed"`` starts a local KRaft cluster that looks like a managed service from
    outside (:mod:`kafkalab.backends.security`): one SASL_SSL listener with PLAIN API keys, a
    CA made for it, ACLs enforced (nothing allowed without one), and this cluster object as
    the super user; ``cluster.create_api_key(name)`` and ``cluster.client_properties(key,
    path)`` give a student a key and a ``client.properties`` file, never the cluster object.

    Use it as a context manager (``with start_cluster() as cluster:``) or call
    ``cluster.stop()``; processes it started also die with this Python process.
    """
    try:
        the_mode = Mode.parse(mode)
    except ValueError as exc:
        raise KafkaLabError(reason=f"{exc}.", fix=f"pass mode= one of {MODES}.") from None
    if backend not in BACKENDS:
        raise KafkaLabError(reason=f"backend={backend!r} is not one of {BACKENDS}.",
                            fix="pass one of those, or leave the default 'auto'.")
    if security not in SECURITY:
        raise KafkaLabError(reason=f"security={security!r} is not one of {SECURITY}.",
                            fix="pass 'managed' for SASL_SSL with API keys and ACLs, or leave "
                            "the default 'none'.")
    managed = security == "managed"
    if managed and (the_mode is not Mode.KRAFT or detached or backend == "external"):
        raise KafkaLabError(reason="security='managed' starts a new KRaft cluster in this "
                            f"process (mode={mode!r}, backend={backend!r}, "
                            f"detached={detached}).",
                            fix="use mode='kraft', backend 'auto' or 'local', detached=False; "
                            "for a real managed cluster set KAFKA_BOOTSTRAP_SERVERS and the "
                            "KAFKA_* security variables instead.")
    if brokers < 1:
        raise KafkaLabError(reason=f"A cluster needs at least one broker (brokers={brokers}).",
                            fix="pass brokers=1 or more.")
    key = (brokers, mode, backend, zookeepers, bootstrap_servers, heap_mb,
           tuple(sorted((broker_config or {}).items())), image, tuple(jvm_flags), security)
    if reuse and (known := _running.get(key)) is not None and known.alive():
        return known

    if backend in ("auto", "external") and not managed:
        ext = (ExternalBackend(bootstrap_servers) if bootstrap_servers else external_from_env())
        if ext is not None:
            cluster = Cluster(ext, brokers, ext.mode.value, owned=False, on_stop=_forget)
            cluster.wait_until(lambda d: len(d.brokers) > 0, timeout=timeout,
                               what=f"the external cluster at {ext.bootstrap_servers}", topics=[])
            cluster.broker_ids = sorted(cluster.describe(topics=[]).brokers)
            _running[key] = cluster
            return cluster
        if backend == "external":
            raise KafkaLabError(reason="backend='external' needs KAFKA_BOOTSTRAP_SERVERS or "
                                "bootstrap_servers=.",
                                fix="set one, or use backend='auto'.")
        if (not detached and not os.environ.get("KAFKA_LAB_FRESH")
                and (attached := _attach_up_matching(brokers, mode)) is not None):
            _running[key] = attached
            return attached

    spec = ClusterSpec(brokers, the_mode, zookeepers, heap_mb,
                       tuple((broker_config or {}).items()), tuple(jvm_flags))
    plan = ManagedSecurity.create() if managed else None
    impl = backends.create(backend, spec, ports=ports, image=image, detached=detached,
                           security=plan)
    cluster = Cluster(impl, brokers, mode, owned=not detached, zookeepers=zookeepers,
                      on_stop=_forget, keys=plan.key_pool() if plan else None)
    try:
        impl.start(timeout)
        cluster.wait_until_ready(timeout)
        cluster.prepare_groups()
    except BaseException:
        impl.close(keep_files=True)
        raise
    _running[key] = cluster
    return cluster


def _forget(cluster: Cluster) -> None:
    for key, known in list(_running.items()):
        if known is cluster:
            del _running[key]


def docker_reason() -> str:
    """"available", or why no Docker engine can be used."""
    try:
        from .backends.docker import docker_available

        docker_available()
        return "available"
    except (DockerUnavailableError, ImportError) as exc:
        return str(exc)
