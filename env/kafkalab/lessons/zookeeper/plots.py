"""Lesson 05's figure: the znode timeline (:func:`plot_timeline`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def plot_timeline(events: Sequence[Any], lanes: Sequence[str], ax: Any = None,
                  since: float = 0.0) -> Any:
    """One row per lane (``lanes`` first, then any other lane of the events, each event has
    ``t``, ``lane`` and ``label``), one labelled dot per change, your actions as red lines."""
    import matplotlib.pyplot as plt

    events = [e for e in events if e.t >= since]
    lanes = list(lanes) + sorted({e.lane for e in events} - set(lanes))
    if ax is None:
        _, ax = plt.subplots(figsize=(13, 0.7 * len(lanes) + 1.8))
    row = {lane: i for i, lane in enumerate(lanes)}
    span = max([e.t for e in events] + [1.0]) - since
    last: dict[str, tuple[float, int]] = {}
    for e in events:
        if e.lane == "you":
            ax.axvline(e.t, color="tab:red", alpha=0.35, lw=1)
        ax.plot(e.t, row[e.lane], "o", color="tab:red" if e.lane == "you" else "tab:blue")
        prev_t, level = last.get(e.lane, (-1e9, -1))
        level = level + 1 if e.t - prev_t < span / 25 else 0  # stagger crowded labels
        last[e.lane] = (e.t, level)
        ax.annotate(e.label, (e.t, row[e.lane]), xytext=(3, 5 - 9 * (level % 3)),
                    textcoords="offset points", fontsize=7)
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(lanes)
    ax.set_ylim(len(lanes) - 0.4, -0.6)
    ax.set_xlabel("seconds since the watch started")
    ax.set_title("What ZooKeeper saw (blue) after what you did (red)")
    ax.grid(axis="x", alpha=0.3)
    return ax
