"""Free TCP ports on 127.0.0.1, picked below every OS's ephemeral range.

Ports from the ephemeral range (Linux 32768-60999, macOS and Windows 49152-65535) can be taken
by any outgoing connection between the moment we pick one and the moment a JVM binds it, so we
pick from 20000-32767 instead and remember what this process handed out.
"""

from __future__ import annotations

import random
import socket
import threading

from .exceptions import PortInUseError

_LOW, _HIGH = 20000, 32767
_given: set[int] = set()
_lock = threading.Lock()


def bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def check_port_free(port: int) -> None:
    if not bindable(port):
        raise PortInUseError(port)


def free_port() -> int:
    """A port nothing listens on now and that this process has not handed out before."""
    with _lock:
        for _ in range(200):
            port = random.randint(_LOW, _HIGH)
            if port not in _given and bindable(port):
                _given.add(port)
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # crowded: let the OS pick
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0
