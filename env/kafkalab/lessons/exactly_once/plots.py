"""The lesson's figures (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .idempotence import ProxyRun
from .transactions import CostPoint


def plot_duplicates(runs: Sequence[ProxyRun]) -> Any:
    """Records in the log per run (sent vs extra copies), one bar pair per fault x producer."""
    import matplotlib.pyplot as plt  # here: copier processes import this package, not plots

    fig, ax = plt.subplots(figsize=(7, 3))
    labels = [f"{r.fault}\n{'idempotent' if r.idempotent else 'plain'}" for r in runs]
    xs = range(len(runs))
    ax.bar(xs, [r.in_log - r.duplicates for r in runs], label="distinct records")
    ax.bar(xs, [r.duplicates for r in runs], bottom=[r.in_log - r.duplicates for r in runs],
           color="tab:red", label="duplicates")
    ax.set_xticks(list(xs), labels)
    ax.set_ylabel("records in the log")
    ax.legend()
    return fig


def plot_cost(points: Sequence[CostPoint]) -> Any:
    """Throughput against records per transaction (log scales), with the idempotent producer
    without transactions as a line."""
    import matplotlib.pyplot as plt  # here: copier processes import this package, not plots

    fig, ax = plt.subplots(figsize=(7, 3))
    tx = [p for p in points if p.per_transaction]
    ax.plot([p.per_transaction for p in tx], [p.records_per_second for p in tx], "o-",
            label="transactional")
    for p in points:
        if not p.per_transaction:
            ax.axhline(p.records_per_second, ls="--", color="grey",
                       label="idempotent, no transactions")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("records per transaction")
    ax.set_ylabel("records / s")
    ax.legend()
    return fig
