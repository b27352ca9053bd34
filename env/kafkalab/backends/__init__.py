"""Backends: where a cluster's nodes run. One plan (:mod:`.plan`) for all of them.

- ``plan``: ClusterSpec -> NodeSpecs (properties, files, ports, main class); ``Mode``.
- ``properties``: the broker and ZooKeeper settings, JVM flags and log configurations.
- ``cache``: one-time work per Kafka version (formatted KRaft bootstrap, CDS archive path).
- ``local``: JVM processes on this machine. ``docker``: one container per node.
  ``external``: a cluster the course did not start (clients only).
- ``base``: the Backend protocol the Cluster talks to.

The registry below picks a backend by name; ``auto`` prefers local JVMs, then Docker.
"""

from __future__ import annotations

from collections.abc import Callable

from ..exceptions import KafkaLabError, NoBackendError
from .base import Backend
from .plan import ClusterSpec, Mode


def _local(spec: ClusterSpec, ports: list[int] | None, image: str | None,
           detached: bool) -> Backend:
    from .local import LocalBackend

    backend = LocalBackend(spec, detached=detached)
    backend.plan(ports)
    return backend


def _docker(spec: ClusterSpec, ports: list[int] | None, image: str | None,
            detached: bool) -> Backend:
    from .docker import DockerBackend

    return DockerBackend(spec, image=image, ports=ports)


REGISTRY: dict[str, Callable[[ClusterSpec, list[int] | None, str | None, bool], Backend]] = {
    "local": _local,
    "docker": _docker,
}
NAMES = ("auto", *REGISTRY, "external")


def pick(name: str) -> str:
    """The backend ``auto`` stands for here: local JVMs when Java 17+ is found, else Docker."""
    if name != "auto":
        return name
    from ..java import find_java

    try:
        find_java()
        return "local"
    except KafkaLabError as exc:
        java_reason = exc.reason.rstrip(".")
    try:
        from .docker import docker_available

        docker_available()
        return "docker"
    except (KafkaLabError, ImportError) as exc:
        reason = exc.reason if isinstance(exc, KafkaLabError) else str(exc)
        raise NoBackendError(java_reason, reason.rstrip(".")) from None


def create(name: str, spec: ClusterSpec, ports: list[int] | None = None,
           image: str | None = None, detached: bool = False) -> Backend:
    """A planned, not yet started backend of kind ``name`` (``auto`` resolved by :func:`pick`)."""
    chosen = pick(name)
    if chosen not in REGISTRY:
        raise KafkaLabError(reason=f"backend={name!r} cannot start a cluster.",
                            fix=f"use one of {tuple(REGISTRY)} or 'auto'.")
    return REGISTRY[chosen](spec, ports, image, detached)


__all__ = ["NAMES", "REGISTRY", "Backend", "ClusterSpec", "Mode", "create", "pick"]
