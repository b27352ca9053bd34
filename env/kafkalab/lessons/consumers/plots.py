"""Lesson 04's figures: who owns which partition after each rebalance
(:func:`plot_assignments`), and a group's reading through a broker's loss
(:func:`plot_broker_loss`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .brokerloss import BrokerLoss


def plot_assignments(steps: list[tuple[str, dict[str, list[int]], float]], partitions: int,
                     title: str = "", ax: Any = None) -> Any:
    """One row per step (a member joined or left), one column per partition, coloured and
    labelled by the consumer that owns it; idle consumers are listed at the right."""
    import matplotlib.pyplot as plt

    names = sorted({n for _l, a, _s in steps for n in a}, key=lambda n: (len(n), n))
    colors = {n: plt.cm.tab10(i % 10) for i, n in enumerate(names)}
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * partitions + 4, 0.5 * len(steps) + 1))
    for row, (_label, assignment, seconds) in enumerate(steps):
        for name, parts in assignment.items():
            for p in parts:
                ax.add_patch(plt.Rectangle((p + 0.05, row + 0.1), 0.9, 0.8, color=colors[name]))
                ax.text(p + 0.5, row + 0.5, name, ha="center", va="center", color="white")
        idle = [n for n, ps in sorted(assignment.items()) if not ps]
        ax.text(partitions + 0.1, row + 0.5, f"{seconds:.1f} s" + (f"; idle: {', '.join(idle)}"
                                                                  if idle else ""), va="center")
    ax.set_xlim(0, partitions + 2.5)
    ax.set_ylim(len(steps), 0)
    ax.set_xticks([p + 0.5 for p in range(partitions)])
    ax.set_xticklabels([f"p{p}" for p in range(partitions)])
    ax.set_yticks([r + 0.5 for r in range(len(steps))])
    ax.set_yticklabels([label for label, _a, _s in steps])
    ax.set_title(title or "partition owners after each rebalance (time to settle)")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return ax


def plot_broker_loss(result: BrokerLoss, bin_s: float = 0.1, ax: Any = None) -> Any:
    """Records consumed per ``bin_s`` seconds, one line per partition (the killed broker's
    partitions drawn thick), with the kill and the moment the new leaders were seen marked."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    for p, counts in result.rates(bin_s).items():
        hit = p in result.affected
        label = f"partition {p}" + (f" (led by broker {result.victim})" if hit else "")
        ax.step([i * bin_s for i in range(len(counts))], counts, where="post", label=label,
                lw=2.2 if hit else 1.0, alpha=1.0 if hit else 0.6)
    ax.axvline(result.kill_at, color="tab:red", ls="--", label=f"broker {result.victim} killed")
    if result.elected_at is not None:
        ax.axvline(result.elected_at, color="tab:green", ls=":", label="new leaders seen")
    ax.axvline(result.end, color="grey", ls="-.", lw=0.8, label="producer stops")
    ax.set_xlabel("seconds")
    ax.set_ylabel(f"records consumed per {bin_s * 1000:.0f} ms")
    ax.set_title("a consumer group through the loss of a broker")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
