"""Lesson 02's figure: :func:`plot_scaling` of the models' measurements."""

from __future__ import annotations

from typing import Any


def plot_scaling(df: Any) -> Any:
    """Stream throughput, records moved per message and client CPU per message, vs N."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for (model, rows), style in zip(df.groupby("model", sort=False),
                                    ("o-", "s--", "^-", "v--", "D-"), strict=False):
        axes[0].plot(rows.subscribers, rows.stream_msgs_per_s, style, label=model)
        axes[1].plot(rows.subscribers, rows.deliveries_per_msg + rows.writes_per_msg, style)
        axes[2].plot(rows.subscribers, rows.cpu_us_per_msg, style)
    titles = ("source messages/s to all subscribers", "records read + written per message",
              "client CPU µs per message")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("subscribers")
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_spread(runs: dict[str, list[Any]]) -> Any:
    """Records each consumer processed, one panel per group kind (``{kind: [Worker, ...]}``)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 3.2), sharey=True)
    for ax, (kind, workers) in zip(axes, runs.items(), strict=True):
        ax.bar([w.name for w in workers], [w.records for w in workers])
        ax.set_title(f"{kind} group", fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
    axes[0].set_ylabel("records processed")
    fig.tight_layout()
    return fig
