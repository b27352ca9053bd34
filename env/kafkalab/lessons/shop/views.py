"""Compacted topics read back into memory: the tables a stateless process rebuilds on start.

A :class:`Tables` reader assigns itself every partition of some compacted topics (no consumer
group: each process wants the whole table), reads from the beginning, and keeps following. A
tombstone (null value) deletes a key. ``ready`` is set once the reader reached the end that the
topics had when it started, so a restarted gateway answers only after it has its state back.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from ...clients import end_offsets
from .topics import decode, topic


class Tables:
    def __init__(self, client: dict[str, Any], prefix: str, kinds: tuple[str, ...]) -> None:
        self.prefix, self.kinds = prefix, kinds
        self.data: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in kinds}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._consumer = Consumer({**client, "group.id": f"tables-{uuid.uuid4().hex[:8]}",
                                   "enable.auto.commit": False})
        self._names = {topic(prefix, k): k for k in kinds}
        self._thread = threading.Thread(target=self._run, daemon=True, name="tables")

    def start(self) -> Tables:
        self._thread.start()
        return self

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self.lock:
            return self.data[kind].get(key)

    def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            return list(self.data[kind].items())

    def put(self, kind: str, key: str, value: dict[str, Any] | None) -> None:
        """Apply a write this process just made (read-your-writes before the topic echoes it)."""
        with self.lock:
            if value is None:
                self.data[kind].pop(key, None)
            else:
                self.data[kind][key] = value

    def wait_ready(self, timeout: float = 60.0) -> None:
        if not self.ready.wait(timeout):
            raise TimeoutError(f"Reading {list(self._names)} back took over {timeout} s")

    def _ends(self) -> dict[tuple[str, int], int]:
        return {(name, p): high for name in self._names
                for p, high in end_offsets(self._consumer, name).items()}

    def _run(self) -> None:
        deadline = time.monotonic() + 120
        while True:  # a broker may be down while this process starts
            try:
                ends = self._ends()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self._consumer.assign([TopicPartition(n, p, OFFSET_BEGINNING) for n, p in ends])
        pending = {tp for tp, hi in ends.items() if hi > 0}
        if not pending:
            self.ready.set()
        while not self._stop.is_set():
            for msg in self._consumer.consume(500, timeout=0.2):
                if msg.error():
                    continue
                key = msg.key().decode() if msg.key() else ""
                self.put(self._names[msg.topic()], key, decode(msg.value()))
                tp = (msg.topic(), msg.partition())
                if tp in pending and msg.offset() >= ends[tp] - 1:
                    pending.discard(tp)
                    if not pending:
                        self.ready.set()
        self._consumer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
