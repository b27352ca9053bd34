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


def files_tar(files: dict[str, bytes], root: str) -> bytes:
    """A tar of ``files`` (relative path -> bytes) under ``root``, for ``put_archive('/')``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        folders: set[str] = set()
        for rel, data in sorted(files.items()):
            path = f"{root.strip('/')}/{rel}"
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                folder = "/".join(parts[:i])
                if folder not in folders:
                    folders.add(folder)
                    info = tarfile.TarInfo(folder)
                    info.type, info.mode = tarfile.DIRTYPE, 0o777
                    tar.addfile(info)
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o666
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@dataclass
class DockerNode:
    kind: str
    node_id: int
    name: str
    port: int  # host port (Kafka client listener or ZooKeeper client port)
    files: dict[str, bytes]
    cmd: list[str]
    container: Any = None  # a docker SDK Container

    def status(self) -> str:
        if self.container is None:
            return "absent"
        try:
            self.container.reload()
            return str(self.container.status)
        except Exception:
            return "absent"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return self.container.logs(tail=lines).decode(errors="replace").rstrip()
        except Exception:
            return ""

    def pid(self) -> int | None:
        """The container's main process as the host sees it (None when not running)."""
        try:
            self.container.reload()
            pid = int(self.container.attrs["State"]["Pid"])
            return pid or None
        except Exception:
            return None


def create_container(client: Any, image: str, node: DockerNode, network: str,
                     labels: dict[str, str], host: str, inner_port: int, home: str) -> Any:
    """Create ``node``'s container on ``network`` with its files under ``home``, its port
    ``inner_port`` published on ``host``:``node.port``, and start it (docker SDK)."""
    c = client.containers.create(
        image, node.cmd, entrypoint=["java"], user="0", labels=labels, name=node.name,
        hostname=node.name, working_dir=home, network=network,
        ports={f"{inner_port}/tcp": (host, node.port)}, detach=True)
    node.container = c
    c.put_archive("/", files_tar(node.files, home))
    c.start()
    return c


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
