"""The notebook's handle on the HTTP service: starts it in a child process on 127.0.0.1,
reads its metrics, scales and resets its pods, and stops it."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from ... import scratch
from ...clients import wait_until
from ...cluster import Cluster
from ...ports import free_port
from ...procs import Child
from .server import KAFKA_ENV, ServiceConfig


class Service:
    """The HTTP service in a child process (which dies with this one), bound to 127.0.0.1.
    Use as a context manager.

    With ``cluster`` (and ``topic``), ``POST /submit`` is a Kafka front door: its producer gets
    the cluster's own settings (``cluster.producer_config``, security included), idempotent
    and acks=all."""

    def __init__(self, cluster: Cluster | None = None, **config: Any) -> None:
        self.config = ServiceConfig(**config)
        self.kafka = (cluster.producer_config(acks="all", enable_idempotence=True, linger_ms=2)
                      if cluster is not None else None)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.child: Child | None = None
        self.logdir: Path | None = None

    def start(self, timeout: float = 30.0) -> Service:
        cmd = [sys.executable, "-m", "kafkalab.lessons.request_response", "--port",
               str(self.port), "--config", json.dumps(asdict(self.config))]
        # its log goes to a file: a pipe nobody reads would block the service once full
        self.logdir = scratch.make("service")
        env = {KAFKA_ENV: json.dumps(self.kafka)} if self.kafka else None
        self.child = Child(cmd, self.logdir / "service.log", env=env, stdout=False)

        def answers() -> bool:
            assert self.child is not None
            if not self.child.running:
                raise RuntimeError(f"The service exited at start: {self.child.log_tail()}")
            try:
                self.metrics()
                return True
            except httpx.HTTPError:
                return False

        try:
            wait_until(answers, timeout, f"the service to answer on {self.url}", interval=0.1)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"The service did not answer on {self.url} within {timeout} s; "
                               "the machine may be overloaded: run the cell again.") from None
        return self

    def metrics(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/metrics", timeout=5).json()

    def scale(self, pods: int | None = None, cpu: int | None = None) -> dict[str, Any]:
        params = {k: v for k, v in (("pods", pods), ("cpu", cpu)) if v is not None}
        resp = httpx.post(f"{self.url}/scale", params=params, timeout=5)
        if resp.status_code != 200:
            raise ValueError(resp.json()["error"])
        return resp.json()

    def reset(self, pods: int = 1, cpu: int = 1,
              service_ms: float | None = None) -> dict[str, Any]:
        """Replace every pod by ``pods`` fresh pods of ``cpu``, with an empty queue; with
        ``service_ms``, each request's work changes to it (else: the configured one)."""
        params: dict[str, Any] = {"pods": pods, "cpu": cpu}
        params["service_ms"] = self.config.service_ms if service_ms is None else service_ms
        resp = httpx.post(f"{self.url}/reset", params=params, timeout=5)
        if resp.status_code != 200:
            raise ValueError(resp.json()["error"])
        return resp.json()

    def stop(self) -> None:
        if self.child is not None and self.child.running:
            self.child.stop(10)
        if self.logdir is not None:
            shutil.rmtree(self.logdir, ignore_errors=True)
            self.logdir = None

    def __enter__(self) -> Service:
        return self.start() if self.child is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
