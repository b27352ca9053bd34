"""The notebook's handle on the HTTP service: starts it in a child process on 127.0.0.1,
reads its metrics, scales and resets its pods, and stops it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from .server import ServiceConfig


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """The HTTP service in a child process, bound to 127.0.0.1. Use as a context manager."""

    def __init__(self, **config: Any) -> None:
        self.config = ServiceConfig(**config)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log: Any = None

    def start(self, timeout: float = 30.0) -> Service:
        cmd = [sys.executable, "-m", "kafkalab.lessons.request_response", "--port",
               str(self.port), "--config", json.dumps(asdict(self.config))]
        # its log goes to a file: a pipe nobody reads would block the service once full
        self.log = tempfile.NamedTemporaryFile(prefix="kafkalab-service-", suffix=".log")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = Path(self.log.name).read_text(errors="replace")
                raise RuntimeError(f"The service exited at start: {err[-2000:]}")
            try:
                self.metrics()
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The service did not answer on {self.url} within {timeout} s; "
                           "the machine may be overloaded: run the cell again.")

    def metrics(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/metrics", timeout=5).json()

    def scale(self, pods: int | None = None, cpu: int | None = None) -> dict[str, Any]:
        params = {k: v for k, v in (("pods", pods), ("cpu", cpu)) if v is not None}
        resp = httpx.post(f"{self.url}/scale", params=params, timeout=5)
        if resp.status_code != 200:
            raise ValueError(resp.json()["error"])
        return resp.json()

    def reset(self, pods: int = 1, cpu: int = 1) -> dict[str, Any]:
        """Replace every pod by ``pods`` fresh pods of ``cpu``, with an empty queue."""
        resp = httpx.post(f"{self.url}/reset", params={"pods": pods, "cpu": cpu}, timeout=5)
        if resp.status_code != 200:
            raise ValueError(resp.json()["error"])
        return resp.json()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> Service:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
