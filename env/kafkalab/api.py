"""start_cluster(): the one entry point. Picks a backend, reuses what is already running."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .cluster import Backend, Cluster
from .exceptions import (
    DockerUnavailableError,
    KafkaLabError,
    NoBackendError,
)
from .external import ExternalBackend, external_from_env
from .jars import cache_dir

MODES = ("kraft", "zookeeper")
BACKENDS = ("auto", "local", "docker", "external")
_running: dict[tuple, Cluster] = {}


def state_file() -> Path:
    """Where `python -m kafkalab up` records the cluster it leaves running (KAFKA_LAB_STATE)."""
    return Path(os.environ.get("KAFKA_LAB_STATE") or cache_dir() / "up.json")


def read_state() -> dict | None:
    try:
        return json.loads(state_file().read_text())
    except (OSError, ValueError):
        return None


def _attach_cli_cluster(brokers: int, mode: str) -> Cluster | None:
    state = read_state()
    if not state or state.get("mode") != mode or state.get("brokers") != brokers:
        return None
    from .local import LocalBackend

    backend = LocalBackend.attach(state)
    if not all(n.alive() for n in backend.nodes):
        return None
    cluster = Cluster(backend, brokers, mode, owned=False, zookeepers=state.get("zookeepers", 0))
    return cluster if cluster.alive() else None


def _pick_backend(backend: str) -> str:
    if backend != "auto":
        return backend
    from .java import find_java

    try:
        find_java()
        return "local"
    except KafkaLabError as exc:
        java_reason = str(exc).split(". Fix")[0]
    try:
        from .docker import docker_available

        docker_available()
        return "docker"
    except (KafkaLabError, ImportError) as exc:
        raise NoBackendError(java_reason, str(exc).split(". Fix")[0]) from None


def start_cluster(brokers: int = 1, mode: str = "kraft", backend: str = "auto", *,
                  zookeepers: int = 1, bootstrap_servers: str | None = None,
                  heap_mb: int = 256, broker_config: dict[str, str] | None = None,
                  ports: list[int] | None = None, image: str | None = None,
                  timeout: float = 120.0, reuse: bool = True, detached: bool = False) -> Cluster:
    """Start (or find) a real Kafka cluster and return it, ready to answer metadata.

    ``brokers``: 1 or more. ``mode``: "kraft" (Kafka 4, default) or "zookeeper" (Kafka 3.9 with
    ``zookeepers`` real ZooKeeper servers). ``backend``: "auto" (an external cluster named by
    KAFKA_BOOTSTRAP_SERVERS or ``bootstrap_servers``, else a cluster left running by
    `python -m kafkalab up` unless KAFKA_LAB_FRESH is set, as the grader does, else local
    JVMs when Java 17+ is found, else Docker), "local", "docker" or "external". With ``reuse``
    (default), calling it again with the same arguments in the same process returns the running
    cluster instead of starting a second one.

    Use it as a context manager (``with start_cluster() as cluster:``) or call
    ``cluster.stop()``; processes it started also die with this Python process.
    """
    if mode not in MODES:
        raise KafkaLabError(f"mode={mode!r} is not one of {MODES}")
    if backend not in BACKENDS:
        raise KafkaLabError(f"backend={backend!r} is not one of {BACKENDS}")
    if brokers < 1:
        raise KafkaLabError("A cluster needs at least one broker (brokers=1 or more).")
    key = (brokers, mode, backend, zookeepers, bootstrap_servers, heap_mb,
           tuple(sorted((broker_config or {}).items())), image)
    if reuse and (known := _running.get(key)) is not None and known.alive():
        return known

    if backend in ("auto", "external"):
        ext = (ExternalBackend(bootstrap_servers) if bootstrap_servers else external_from_env())
        if ext is not None:
            cluster = Cluster(ext, brokers, mode, owned=False)
            cluster.wait_until(lambda d: len(d.brokers) > 0, timeout=timeout,
                               what=f"the external cluster at {ext.bootstrap_servers}", topics=[])
            cluster.broker_ids = sorted(cluster.describe(topics=[]).brokers)
            _running[key] = cluster
            return cluster
        if backend == "external":
            raise KafkaLabError("backend='external' needs KAFKA_BOOTSTRAP_SERVERS or "
                                "bootstrap_servers=. Fix: set one, or use backend='auto'.")
        if (not detached and not os.environ.get("KAFKA_LAB_FRESH")
                and (attached := _attach_cli_cluster(brokers, mode)) is not None):
            _running[key] = attached
            return attached

    chosen = _pick_backend(backend)
    impl: Backend
    if chosen == "local":
        from .local import LocalBackend

        impl = LocalBackend(brokers, mode, zookeepers, heap_mb, broker_config, detached=detached)
        impl.plan(ports)
    else:
        from .docker import DockerBackend

        impl = DockerBackend(brokers, mode, zookeepers, heap_mb, broker_config, image=image,
                             ports=ports)
    cluster = Cluster(impl, brokers, mode, owned=not detached, zookeepers=zookeepers)
    try:
        impl.start(timeout)
        cluster.wait_until_ready(timeout)
    except BaseException:
        impl.close(keep_files=True)
        raise
    _running[key] = cluster
    return cluster


def forget(cluster: Cluster) -> None:
    for key, known in list(_running.items()):
        if known is cluster:
            del _running[key]


def docker_reason() -> str:
    try:
        from .docker import docker_available

        docker_available()
        return "available"
    except (DockerUnavailableError, ImportError) as exc:
        return str(exc)

