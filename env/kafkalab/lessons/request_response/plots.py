"""Figures and frames of lesson 01's runs: the HTTP run (:func:`plot_run`) and the Kafka run
(:func:`end_to_end`, :func:`plot_kafka_run`). matplotlib, numpy and pandas load lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .lag import LagMonitor
    from .records import LoadRun
    from .workers import KafkaWorkers


def plot_run(run: LoadRun, bin_s: float = 0.5) -> Any:
    """Three panels: request rates, latency of answered requests, and capacity vs demand."""
    import matplotlib.pyplot as plt
    import pandas as pd

    tl = run.timeline(bin_s)
    fig, (a, b, c) = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    for col, style in (("offered", "k--"), ("served", "g-"), ("dropped", "r-"),
                       ("timeout", "m-")):
        a.plot(tl.t, tl[col], style, label=col)
    a.set_ylabel("requests/s")
    a.legend(loc="upper left", fontsize=8)
    b.plot(tl.t, tl.p50_ms, label="p50")
    b.plot(tl.t, tl.p95_ms, label="p95")
    b.axhline(run.timeout * 1000, color="m", ls=":", label="client timeout")
    b.set_ylabel("latency (ms)")
    b.legend(loc="upper left", fontsize=8)
    s = pd.DataFrame(run.samples)
    if len(s):
        c.step(s.t, s.slots, where="post", label="ready capacity (slots)")
        c.plot(s.t, s.busy, label="busy slots")
        c.plot(s.t, s["queue"], label="queued requests")
    c.set_xlabel("seconds since start")
    c.legend(loc="upper left", fontsize=8)
    fig.suptitle(run.name)
    fig.tight_layout()
    return fig


def end_to_end(run: LoadRun, workers: KafkaWorkers) -> pd.DataFrame:
    """One row per processed request: accepted (s since the run's start) and end-to-end
    latency (ms) from the front door's acceptance to the end of processing."""
    import pandas as pd

    df = pd.DataFrame(workers.done, columns=["id", "t_accept", "t_done", "pod"])
    df["accepted"] = df.t_accept - run.started_wall
    df["e2e_ms"] = (df.t_done - df.t_accept) * 1000
    return df.sort_values("accepted")


def plot_kafka_run(run: LoadRun, monitor: LagMonitor, workers: KafkaWorkers,
                   bin_s: float = 0.5) -> Any:
    """Rates (offered, accepted, processed), consumer lag, and latency (front door vs e2e)."""
    import matplotlib.pyplot as plt
    import numpy as np

    tl, e2e = run.timeline(bin_s), end_to_end(run, workers)
    processed_t = e2e.t_done - run.started_wall
    end = max(tl.t.max() + bin_s, processed_t.max() if len(e2e) else 0)
    edges = np.arange(0, end + bin_s, bin_s)
    fig, (a, b, c) = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    a.plot(tl.t, tl.offered, "k--", label="offered")
    a.plot(tl.t, tl.served, "b-", label="accepted by the front door (202)")
    a.plot(edges[:-1], np.histogram(processed_t, edges)[0] / bin_s, "g-", label="processed")
    a.plot(tl.t, tl.dropped + tl.timeout, "r-", label="dropped + timed out")
    a.set_ylabel("requests/s")
    a.legend(loc="upper left", fontsize=8)
    lag = [(t - run.started_mono, n) for t, n in monitor.samples]
    b.plot([t for t, _ in lag], [n for _, n in lag], "C1")
    b.set_ylabel("consumer lag (records)")
    c.plot(tl.t, tl.p95_ms, label="front door p95 (202 answer)")
    if len(e2e):
        roll = e2e.set_index("accepted").e2e_ms
        c.plot(roll.index, roll.values, ".", ms=2, alpha=0.5, label="end to end (each request)")
    c.set_ylabel("latency (ms)")
    c.set_xlabel("seconds since start")
    c.legend(loc="upper left", fontsize=8)
    fig.suptitle(run.name)
    fig.tight_layout()
    return fig
