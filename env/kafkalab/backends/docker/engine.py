"""The Docker engine: whether one answers, the labels and layout kafka-lab containers use,
and no orphans (a watchdog per process, and a sweep of containers whose owner died)."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

from ...exceptions import DockerUnavailableError
from ...procs import Child

LABEL = "org.kafka-lab.session"
LABEL_OWNER = "org.kafka-lab.owner"  # host:pid:process start time
LABEL_CLUSTER = "org.kafka-lab.cluster"  # one cluster's containers and network
SESSION = uuid.uuid4().hex[:10]
HOME = PurePosixPath("/kafka-lab")
DATA = HOME / "data"
PORTS = {"client": 9092, "internal": 19092, "controller": 9093, "zk": 2181}


def engine_client(timeout: int = 60) -> Any:
    """A docker SDK client for the engine DOCKER_HOST (or the default socket) names."""
    import docker

    return docker.from_env(timeout=timeout)


def docker_available() -> None:
    """Return if a Docker engine answers within about 2 s, else raise DockerUnavailableError."""
    try:
        import docker
    except ImportError:
        raise DockerUnavailableError("the Python package 'docker' is not installed: "
                                     "pip install docker") from None
    host = os.environ.get("DOCKER_HOST", "")
    if not host and sys.platform != "win32" and not Path("/var/run/docker.sock").exists() \
            and not (Path.home() / ".docker" / "run" / "docker.sock").exists():
        raise DockerUnavailableError("no /var/run/docker.sock and DOCKER_HOST is not set")
    try:
        client = docker.from_env(timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        reason = str(exc).split("(Caused by")[0].strip() or type(exc).__name__
        raise DockerUnavailableError(f"{host or 'the default socket'}: {reason[:200]}") from None


# ---- no orphans: a watchdog per process, and a sweep of containers whose owner died ----------
_WATCHDOG = r"""
import signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
for _ in sys.stdin:
    pass
import docker
client = docker.from_env(timeout=120)
flt = {"label": "org.kafka-lab.session=" + sys.argv[1]}
for c in client.containers.list(all=True, filters=flt, ignore_removed=True):
    try: c.remove(force=True, v=True)
    except Exception: pass
for n in client.networks.list(filters=flt):
    try: n.remove()
    except Exception: pass
"""
_watchdog: Child | None = None


def owner() -> str:
    """This process, as the label that lets a later sweep tell whether it still lives."""
    import psutil

    return f"{socket.gethostname()}:{os.getpid()}:{psutil.Process().create_time():.0f}"


def ensure_watchdog() -> None:
    """Start (once per process) the watchdog that removes this session's containers when
    this process dies, however it dies."""
    global _watchdog
    if _watchdog is None or _watchdog.poll() is not None:
        # detached: it must outlive this process to clean up; its stdin's EOF is the signal
        _watchdog = Child([sys.executable, "-c", _WATCHDOG, SESSION],
                          Path(tempfile.gettempdir()) / "kafka-lab-docker-watchdog.log",
                          detached=True, pipes=True)


def _owner_alive(owner: str) -> bool:
    import psutil

    host, _, rest = owner.partition(":")
    pid, _, ctime = rest.partition(":")
    if host != socket.gethostname():
        return True  # another machine's engine client: not ours to judge
    try:
        return f"{psutil.Process(int(pid)).create_time():.0f}" == ctime
    except (psutil.Error, ValueError):
        return False


def sweep_stale(client: Any | None = None) -> int:
    """Remove kafka-lab containers and networks whose owning process is gone; return count."""
    client = client or engine_client()
    removed = 0
    for c in client.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True):
        if not _owner_alive(c.labels.get(LABEL_OWNER, "")):
            try:
                c.remove(force=True, v=True)
                removed += 1
            except Exception:
                pass
    for n in client.networks.list(filters={"label": LABEL}):
        if not _owner_alive(n.attrs.get("Labels", {}).get(LABEL_OWNER, "")):
            try:
                n.remove()
            except Exception:
                pass
    return removed
