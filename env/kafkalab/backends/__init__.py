"""Backends: where a cluster's nodes run. One plan (:mod:`.plan`) for all of them.

- ``plan``: ClusterSpec -> NodeSpecs (properties, files, ports, main class); ``Mode``.
- ``properties``: the broker and ZooKeeper settings, JVM flags and log configurations.
- ``cache``: one-time work per Kafka version (formatted KRaft bootstrap, class archive).
- ``local``: JVM processes on this machine. ``docker``: one container per node.
  ``external``: a cluster the course did not start (clients only).
- ``base``: the Backend protocol the Cluster talks to.
- ``security``: a managed-style cluster's security plan (SASL_SSL, PLAIN keys, a CA, ACLs).

The registry below picks a backend by name; ``auto`` prefers local JVMs, then Docker.
"""

from __future__ import annotations

from collections.abc import Callable

from ..exceptions import KafkaLabError, NoBackendError
from .base import Backend
from .plan import ClusterSpec, Mode
from .security import ManagedSecurity


def _local(spec: ClusterSpec, ports: list[int] | None, image: str | None,
           detached: bool, security: ManagedSecurity | None) -> Backend:
    from .local import LocalBackend

    backend = LocalBackend(spec, detached=detached, security=security)
    backend.plan(ports)
    return backend


def _docker(spec: ClusterSpec, ports: list[int] | None, image: str | None,
            detached: bool, security: ManagedSecurity | None) -> Backend:
    if security is not None:
        raise KafkaLabError(reason="security='managed' runs on the local backend only (the "
                            "docker layout has no secured listeners yet).",
                            fix="use backend='local' (needs Java 17+) for a managed-style "
                            "cluster.")
    from .docker import DockerBackend

    return DockerBackend(spec, image=image, ports=ports)


Factory = Callable[[ClusterSpec, list[int] | None, str | None, bool, ManagedSecurity | None],
                   Backend]
REGISTRY: dict[str, Factory] = {
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
           image: str | None = None, detached: bool = False,
           security: ManagedSecurity | None = None) -> Backend:
    """A planned, not yet started backend of kind ``name`` (``auto`` resolved by :func:`pick`),
    with ``security`` securing its listeners (None: plaintext)."""
    chosen = pick(name)
    if chosen not in REGISTRY:
        raise KafkaLabError(reason=f"backend={name!r} cannot start a cluster.",
                            fix=f"use one of {tuple(REGISTRY)} or 'auto'.")
    return REGISTRY[chosen](spec, ports, image, detached, security)


__all__ = ["NAMES", "REGISTRY", "Backend", "ClusterSpec", "ManagedSecurity", "Mode", "create",
           "pick"]
