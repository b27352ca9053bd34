"""Notice an assigned partition that has records waiting but is not being consumed.

A consumer group member can be left owning a partition that it does not fetch again, while its
client library believes it is up to date: this happened here when a broker was killed and
started again just after a rebalance (the library kept a stale leader or high watermark; issues
of that kind: librdkafka 5586, 4492, 3399). Restarting the member heals it.

:class:`ProgressWatch` compares where the worker is in each partition (the next offset it will
handle) with the partition's end as a separate admin client reads it from the leader. A partition
that stays behind without moving for ``stall_s`` seconds, while the worker has handled nothing
for ``idle_s`` seconds, is reported; the worker then rejoins its group with a new consumer, which
is that restart without losing the process. (A busy worker is not judged: with a backlog, one
partition can wait its turn in the client's queue for longer than ``stall_s``.)
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

Key = tuple[str, int]


def partitions(raw: str, kinds: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``{"orders[0]": {fetch_state, leader, next_offset, ...}}`` for every partition assigned
    to the consumer (librdkafka marks them "desired"), from one statistics report (JSON): the
    library's own view, shown in a worker's /health."""
    fields = ("fetch_state", "leader", "next_offset", "hi_offset", "committed_offset")
    out = {}
    for name, t in json.loads(raw).get("topics", {}).items():
        for p, st in t.get("partitions", {}).items():
            if p != "-1" and st.get("desired"):
                out[f"{kinds.get(name, name)}[{p}]"] = {k: st.get(k) for k in fields}
    return out


class ProgressWatch:
    def __init__(self, stall_s: float = 15.0, idle_s: float = 5.0) -> None:
        self.stall_s, self.idle_s = stall_s, idle_s
        self._last_handled = float("-inf")  # when the worker last handled any record
        self.lock = threading.Lock()
        self.positions: dict[Key, int] = {}  # next offset the worker will handle
        self._since: dict[Key, tuple[int, float]] = {}  # behind since (position, time)

    def start(self, positions: dict[Key, int]) -> None:
        """A new assignment: where each partition starts (its committed offset)."""
        with self.lock:
            self.positions = dict(positions)
            self._since.clear()

    def handled(self, topic: str, partition: int, offset: int, now: float | None = None) -> None:
        with self.lock:
            self.positions[(topic, partition)] = offset + 1
            self._last_handled = time.monotonic() if now is None else now

    def reset(self) -> None:
        """Nothing was expected to move (paused, or between assignments): start the clocks
        again."""
        with self.lock:
            self._since.clear()

    def update(self, ends: dict[Key, int], now: float | None = None) -> list[Key]:
        """Take the partitions' current ends; return those behind their end with a position
        that has not moved for longer than ``stall_s`` (none while the worker is busy)."""
        now = time.monotonic() if now is None else now
        stuck = []
        with self.lock:
            idle = now - self._last_handled > self.idle_s
            for key, position in self.positions.items():
                end = ends.get(key)
                if end is None or position < 0 or end <= position:
                    self._since.pop(key, None)
                    continue
                first = self._since.get(key)
                if first is None or first[0] != position:
                    self._since[key] = (position, now)
                elif now - first[1] > self.stall_s and idle:
                    stuck.append(key)
        return stuck

    def keys(self) -> list[Key]:
        with self.lock:
            return list(self.positions)


def read_ends(admin: Any, keys: list[Key], timeout: float = 5.0) -> dict[Key, int]:
    """Each partition's end (high watermark) from its leader; partitions whose leader does not
    answer now are left out."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    if not keys:
        return {}
    ends = {}
    futures = admin.list_offsets({TopicPartition(t, p): OffsetSpec.latest() for t, p in keys},
                                 request_timeout=timeout)
    for tp, fut in futures.items():
        try:
            ends[(tp.topic, tp.partition)] = fut.result(timeout).offset
        except Exception:  # leader moving or down: no verdict for this partition now
            pass
    return ends
