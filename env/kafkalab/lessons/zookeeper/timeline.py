"""A live :class:`Timeline` of broker registrations, the controller and partition states,
recorded from kazoo watches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kazoo.client import KazooClient

from .znodes import decode, read

LANES = ("you", "/brokers/ids", "/controller")


@dataclass(frozen=True)
class Event:
    t: float  # seconds since the timeline started
    lane: str
    label: str
    data: Any = None


@dataclass
class Timeline:
    """Watches broker registrations, the controller and partition states; records each change.

    ``mark(label)`` records an action of yours (a kill, a restart) in the same clock.
    Topics whose names start with ``__`` are skipped unless ``internal=True``.
    """

    zk: KazooClient
    internal: bool = False
    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.t0 = time.monotonic()
        self._lock = threading.Condition()
        self._stopped = False
        self._topics: set[str] = set()
        self._ids: set[int] | None = None
        self._seen_topics = False
        self.zk.ChildrenWatch("/brokers/ids", self._on_brokers)
        self.zk.DataWatch("/controller", self._on_controller)
        self.zk.ChildrenWatch("/brokers/topics", self._on_topics)

    # ---- recording -------------------------------------------------------------------------
    def _record(self, lane: str, label: str, data: Any = None) -> None:
        with self._lock:
            self.events.append(Event(round(time.monotonic() - self.t0, 3), lane, label, data))
            self._lock.notify_all()

    def mark(self, label: str) -> None:
        """Record something you did, e.g. ``timeline.mark("kill broker 2")``."""
        self._record("you", label)

    def _on_brokers(self, children: list[str]) -> bool:
        if self._stopped:
            return False
        ids = {int(c) for c in children}
        old, self._ids = self._ids, ids
        if old is None:
            label = f"registered {sorted(ids)}"
        else:
            gone, new = sorted(old - ids), sorted(ids - old)
            label = " ".join([f"-{b}" for b in gone] + [f"+{b}" for b in new]) or "no change"
        self._record("/brokers/ids", label, sorted(ids))
        return True

    def _on_controller(self, data: bytes | None, stat: Any) -> bool:
        if self._stopped:
            return False
        content = decode(data)
        broker = content.get("brokerid") if isinstance(content, dict) else None
        self._record("/controller", "deleted" if broker is None else f"broker {broker}", broker)
        return True

    def _on_topics(self, children: list[str]) -> bool:
        if self._stopped:
            return False
        first, self._seen_topics = not self._seen_topics, True
        for topic in sorted(set(children) - self._topics):
            if topic.startswith("__") and not self.internal:
                continue
            self._topics.add(topic)
            threading.Thread(target=self._watch_topic, args=(topic, first), daemon=True).start()
        return True

    def _watch_topic(self, topic: str, existing: bool) -> None:
        deadline = time.monotonic() + 10
        assignment = None
        while assignment is None and time.monotonic() < deadline and not self._stopped:
            try:
                assignment = read(self.zk, f"/brokers/topics/{topic}")
            except Exception:
                time.sleep(0.05)
        parts = sorted(int(p) for p in (assignment or {}).get("partitions", {}))
        what = "existing" if existing else "created"
        self._record(f"{topic}", f"{what}, {len(parts)} partition(s)", assignment)
        for p in parts:
            self.zk.DataWatch(f"/brokers/topics/{topic}/partitions/{p}/state",
                              self._state_watcher(topic, p))

    def _state_watcher(self, topic: str, p: int) -> Callable[[bytes | None, Any], bool]:
        def on_state(data: bytes | None, stat: Any) -> bool:
            if self._stopped:
                return False
            if data is not None:
                s = decode(data)
                self._record(f"{topic}[{p}]", f"L{s['leader']} isr{s['isr']}", s)
            return True
        return on_state

    # ---- reading ---------------------------------------------------------------------------
    def wait_for(self, lane: str, predicate: Callable[[Event], bool],
                 timeout: float = 30.0, after: float = 0.0) -> Event:
        """Block until an event in ``lane`` (seen at or after ``after``) satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for e in self.events:
                    if e.lane == lane and e.t >= after and predicate(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"No matching event in {lane!r} within {timeout} s; "
                                       f"last events: {self.events[-5:]}")
                self._lock.wait(min(left, 0.2))

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 3)

    def to_dataframe(self):  # noqa: ANN201 - pandas is imported lazily
        import pandas as pd

        return pd.DataFrame([{"t (s)": e.t, "lane": e.lane, "event": e.label}
                             for e in self.events])

    def plot(self, ax=None, since: float = 0.0):  # noqa: ANN001, ANN201 - matplotlib lazily
        """One row per znode family, one labelled dot per change (see :func:`plot_timeline`)."""
        from .plots import plot_timeline

        return plot_timeline(self.events, LANES, ax, since)

    def close(self) -> None:
        """Stop recording (the watches end at their next change)."""
        self._stopped = True
