"""A worker's health endpoint: counts, assigned partitions, and pause/resume over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts = {"seen": 0, "applied": 0, "duplicate": 0, "ignored": 0, "batches": 0,
                       "rejoins": 0}
        self.partitions: list[int] = []
        self.loaded: dict[int, int] = {}
        self.started = time.time()
        self.ready = False

    def snapshot(self, name: str, replica: int) -> dict[str, Any]:
        with self.lock:
            return {"service": name, "replica": replica, "ready": self.ready,
                    "partitions": list(self.partitions), "state_records_loaded": dict(self.loaded),
                    "uptime_s": round(time.time() - self.started, 1), **self.counts}


def serve_health(port: int, body: Callable[[], dict[str, Any]],
                 paused: threading.Event | None = None,
                 holding: threading.Event | None = None) -> ThreadingHTTPServer:
    """GET /health answers ``body()``; POST /pause and /resume hold and release consumption
    (the member stays in its group, so its partitions are not reassigned). /pause answers once
    the consume loop is holding, so nothing fetched after the answer is handled."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            if paused is not None and self.path in ("/pause", "/resume"):
                if self.path == "/pause":
                    paused.set()
                    if holding is not None:
                        holding.wait(30)
                else:
                    paused.clear()
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            data = json.dumps(body()).encode()
            self.send_response(200 if self.path.startswith(("/health", "/pause", "/resume"))
                               else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
