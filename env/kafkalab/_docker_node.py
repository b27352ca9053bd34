"""One container of the docker backend: readiness probes, state, log tail, files."""

from __future__ import annotations

import io
import socket
import struct
import tarfile
from dataclasses import dataclass
from typing import Any


# ---- readiness probes (through the published port, as clients see it) ----------------------
def kafka_answers(host: str, port: int) -> bool:
    """True if a Kafka broker answers an ApiVersions v0 request on host:port."""
    req = struct.pack(">hhih", 18, 0, 7, 2) + b"kl"
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.settimeout(2)
            s.sendall(struct.pack(">i", len(req)) + req)
            head = s.recv(8)
            return len(head) == 8 and struct.unpack(">ii", head)[1] == 7
    except OSError:
        return False


def zookeeper_serving(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.settimeout(2)
            s.sendall(b"srvr")
            return b"Mode:" in s.recv(4096)
    except OSError:
        return False


@dataclass
class DockerNode:
    kind: str
    node_id: int
    name: str
    port: int  # host port (Kafka client listener or ZooKeeper client port)
    files: dict[str, bytes]
    cmd: list[str]
    container: Any = None  # the testcontainers DockerContainer

    def status(self) -> str:
        if self.container is None or self.container._container is None:
            return "absent"
        try:
            self.container._container.reload()
            return self.container._container.status
        except Exception:
            return "absent"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return self.container._container.logs(tail=lines).decode(errors="replace").rstrip()
        except Exception:
            return ""


def read_file(container: Any, path: str) -> bytes | None:
    """One file's bytes from a container (None if absent)."""
    try:
        stream, _ = container.get_archive(path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.next()
            f = tar.extractfile(member) if member else None
            return f.read() if f else None
    except Exception:
        return None
