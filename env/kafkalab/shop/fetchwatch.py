"""Watch each assigned partition through the client library's statistics, and notice one that
has records waiting but does not move.

A consumer group member can be left owning a partition that it never fetches again: client bugs
of that kind are known when a broker or group coordinator dies at the wrong moment (librdkafka
issues 5586, 4492). Restarting the member heals it. The worker asks :class:`FetchWatch` after each
statistics report, and when a partition has been stuck longer than ``stall_s`` it rejoins the
group with a new consumer, which is that restart without losing the process.
"""

from __future__ import annotations

import json
import time
from typing import Any

FIELDS = ("fetch_state", "leader", "next_offset", "committed_offset", "hi_offset",
          "consumer_lag")


def partitions(raw: str, kinds: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``{"orders[0]": {fetch_state, leader, next_offset, ...}}`` for every partition assigned
    to the consumer (librdkafka marks them "desired"), from one statistics report (JSON)."""
    out = {}
    for name, t in json.loads(raw).get("topics", {}).items():
        for p, st in t.get("partitions", {}).items():
            if p != "-1" and st.get("desired"):
                out[f"{kinds.get(name, name)}[{p}]"] = {k: st.get(k) for k in FIELDS}
    return out


class FetchWatch:
    def __init__(self, stall_s: float = 15.0) -> None:
        self.stall_s = stall_s
        self.view: dict[str, dict[str, Any]] = {}
        self._since: dict[str, tuple[Any, float]] = {}  # partition -> (position, first seen)

    def reset(self) -> None:
        """Forget the history (after a rebalance or a pause, nothing was expected to move)."""
        self._since.clear()

    def update(self, view: dict[str, dict[str, Any]], now: float | None = None) -> list[str]:
        """Take a new report; return the partitions stuck for longer than ``stall_s``: not
        fetching, or fetching with records beyond a position that does not move."""
        now = time.monotonic() if now is None else now
        self.view = view
        stuck = []
        for part, st in view.items():
            position, high = st.get("next_offset"), st.get("hi_offset")
            behind = isinstance(position, int) and isinstance(high, int) and high > position >= 0
            if st.get("fetch_state") == "active" and not behind:
                self._since.pop(part, None)
                continue
            first = self._since.get(part)
            if first is None or first[0] != (st.get("fetch_state"), position):
                self._since[part] = ((st.get("fetch_state"), position), now)
            elif now - first[1] > self.stall_s:
                stuck.append(part)
        for part in list(self._since):
            if part not in view:
                del self._since[part]
        return stuck
