"""What every backend provides to :class:`kafkalab.cluster.Cluster` (a structural protocol)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from .plan import Mode


class Backend(Protocol):
    """Local JVMs, Docker containers or an external cluster, behind one interface.

    Nodes are named by ``kind`` ("broker" | "zookeeper") and id. A backend that cannot do a
    fault (an external cluster) raises FaultInjectionUnavailableError.
    """

    name: str
    mode: Mode
    version: str
    bootstrap_servers: str
    zookeeper_connect: str | None
    security: dict[str, str]

    def start(self, timeout: float = ...) -> None: ...
    def kill(self, kind: str, node_id: int) -> None: ...
    def stop(self, kind: str, node_id: int) -> None: ...
    def pause(self, kind: str, node_id: int) -> None: ...
    def resume(self, kind: str, node_id: int) -> None: ...
    def restart(self, kind: str, node_id: int, timeout: float = ...) -> None: ...
    def start_many(self, kind: str, ids: list[int], timeout: float = ...) -> None: ...
    def running(self, kind: str, node_id: int) -> bool: ...
    def status(self, kind: str, node_id: int) -> str: ...
    def pid(self, kind: str, node_id: int) -> int | None: ...
    def ports(self, kind: str, node_id: int) -> list[int]: ...
    def node_rss(self, kind: str, node_id: int) -> int: ...
    def quorum_state(self) -> dict | None: ...
    def rss_bytes(self) -> int: ...
    def log_tail(self, kind: str, node_id: int, lines: int = ...) -> str: ...
    def log_dir(self, kind: str, node_id: int) -> Path | None: ...
    def close(self, keep_files: bool = ...) -> None: ...
    def state(self) -> dict: ...


class HasId(Protocol):
    kind: str
    node_id: int


N = TypeVar("N", bound=HasId)


def find_node(nodes: Sequence[N], kind: str, node_id: int) -> N:
    """The node of ``kind`` with ``node_id``, or a KeyError that lists the ids there are."""
    for n in nodes:
        if n.kind == kind and n.node_id == node_id:
            return n
    ids = [n.node_id for n in nodes if n.kind == kind]
    raise KeyError(f"No {kind} with id {node_id}; this cluster has {kind}s {ids}")
