"""Figures and tables for notebook 07 (kept here, not pasted into cells)."""

from __future__ import annotations

from typing import Any

LANES = ("gateway", "inventory", "payments", "shipping", "notifications")
STAGE = {"order_placed": "accepted", "reserved": "reserved", "rejected": "rejected",
         "paid": "paid", "shipped": "shipped", "notified": "notified"}


def timeline(doc: dict[str, Any], ax: Any = None) -> Any:
    """One order's events across the services: when each service wrote its event (ms after the
    gateway accepted the order), and when the orders service folded it into order-status."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    t0 = doc["history"][0]["ts"] if doc["history"] else 0
    t0 = min([h["ts"] for h in doc["history"]] + [t0])
    for h in sorted(doc["history"], key=lambda h: h["ts"]):
        if h["service"] not in LANES:
            continue
        y = LANES.index(h["service"])
        ax.plot([h["ts"] - t0, h["recorded"] - t0], [y, y], color="0.7", lw=1)
        ax.scatter([h["ts"] - t0], [y], s=60, zorder=3)
        ax.scatter([h["recorded"] - t0], [y], s=25, marker="|", color="k", zorder=3)
        ax.annotate(STAGE.get(h["type"], h["type"]), (h["ts"] - t0, y), xytext=(4, 6),
                    textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(LANES)), LANES)
    ax.set_xlabel("ms after the order was accepted (dot: event written; bar: in order-status)")
    ax.set_title(f"Order {doc['order_id']}: {doc['status']}")
    ax.grid(axis="x", alpha=0.3)
    return ax


def outcome(rows: list[dict[str, Any]], completed: set[str] | None = None) -> dict[str, int]:
    """accepted (201), failed (anything else, also timeouts), completed (reached shipped)."""
    accepted = [r for r in rows if r["status"] == 201]
    done = len(accepted) if completed is None else sum(r["order_id"] in completed
                                                       for r in accepted)
    return {"sent": len(rows), "accepted": len(accepted), "failed": len(rows) - len(accepted),
            "completed": done}


def latency_plot(runs: dict[str, list[dict[str, Any]]], outage: tuple[float, float],
                 ax: Any = None, fault: str = "payments killed") -> Any:
    """Client-observed request latency against send time, failures marked with x."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    for name, rows in runs.items():
        ok = [r for r in rows if r["status"] == 201]
        bad = [r for r in rows if r["status"] != 201]
        line = ax.scatter([r["t"] for r in ok], [r["latency_s"] for r in ok], s=8, label=f"{name}"
                          " accepted")
        ax.scatter([r["t"] for r in bad], [r["latency_s"] for r in bad], s=18, marker="x",
                   color=line.get_facecolor()[0], label=f"{name} failed")
    ax.axvspan(*outage, color="red", alpha=0.1, label=fault)
    ax.set_yscale("log")
    ax.set_xlabel("seconds since the load started (the rate rises step by step)")
    ax.set_ylabel("HTTP answer time (s)")
    ax.legend(fontsize=8, ncol=2)
    return ax
