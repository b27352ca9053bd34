"""A snapshot of a cluster (brokers, controller, leaders, ISR) that renders in Jupyter."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

_UP, _DOWN = "#d4edda", "#f8d7da"


@dataclass(frozen=True)
class PartitionState:
    topic: str
    partition: int
    leader: int  # -1 while no replica leads
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


@dataclass
class ClusterDescription:
    brokers: dict[int, str]  # id -> host:port of the brokers that answer
    controller: int | None
    controller_kind: str  # "zookeeper /controller", "KRaft active controller" or "metadata"
    partitions: list[PartitionState] = field(default_factory=list)
    expected_brokers: tuple[int, ...] = ()

    def topic(self, name: str) -> list[PartitionState]:
        return [p for p in self.partitions if p.topic == name]

    def partition(self, topic: str, partition: int) -> PartitionState:
        for p in self.partitions:
            if p.topic == topic and p.partition == partition:
                return p
        raise KeyError(f"No partition {topic}[{partition}] in this description")

    def leader(self, topic: str, partition: int = 0) -> int:
        return self.partition(topic, partition).leader

    def isr(self, topic: str, partition: int = 0) -> tuple[int, ...]:
        return self.partition(topic, partition).isr

    def to_dataframe(self):  # noqa: ANN201 - pandas is imported lazily
        import pandas as pd

        rows = [{"topic": p.topic, "partition": p.partition, "leader": p.leader,
                 "replicas": list(p.replicas), "isr": list(p.isr),
                 "under-replicated": len(p.isr) < len(p.replicas)} for p in self.partitions]
        return pd.DataFrame(rows, columns=["topic", "partition", "leader", "replicas", "isr",
                                           "under-replicated"])

    def __str__(self) -> str:
        lines = [f"brokers: {sorted(self.brokers)}   controller: {self.controller} "
                 f"({self.controller_kind})"]
        for p in self.partitions:
            lines.append(f"  {p.topic}[{p.partition}] leader={p.leader} "
                         f"replicas={list(p.replicas)} isr={list(p.isr)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        ids = sorted(set(self.brokers) | set(self.expected_brokers))
        cells = "".join(
            f"<td style='padding:4px 10px;background:{_UP if b in self.brokers else _DOWN}'>"
            f"broker {b}{' ★' if b == self.controller else ''}<br><small>"
            f"{html.escape(self.brokers.get(b, 'down'))}</small></td>" for b in ids)
        out = [f"<table><tr>{cells}</tr></table>",
               f"<small>★ controller ({html.escape(self.controller_kind)})</small>"]
        if self.partitions:
            out.append(self.to_dataframe().to_html(index=False))
        return "".join(out)

    def plot(self, ax=None):  # noqa: ANN001, ANN201 - matplotlib is imported lazily
        """Brokers as columns, each partition replica a box: filled = leader, grey = out of ISR."""
        import matplotlib.pyplot as plt

        ids = sorted(set(self.brokers) | set(self.expected_brokers)
                     | {r for p in self.partitions for r in p.replicas})
        if ax is None:
            _, ax = plt.subplots(figsize=(1.8 * max(len(ids), 1) + 1,
                                          0.35 * max(len(self.partitions), 1) + 1.5))
        col = {b: i for i, b in enumerate(ids)}
        for row, p in enumerate(self.partitions):
            for r in p.replicas:
                color = ("tab:blue" if r == p.leader
                         else "lightblue" if r in p.isr else "lightgrey")
                ax.add_patch(plt.Rectangle((col[r] + 0.1, row + 0.1), 0.8, 0.8, color=color))
                ax.text(col[r] + 0.5, row + 0.5, f"{p.topic}[{p.partition}]", ha="center",
                        va="center", fontsize=7, color="white" if r == p.leader else "black")
        ax.set_xlim(0, len(ids))
        ax.set_ylim(max(len(self.partitions), 1), 0)
        ax.set_xticks([i + 0.5 for i in range(len(ids))])
        ax.set_xticklabels([f"broker {b}{' (down)' if b not in self.brokers else ''}"
                            f"{' ★' if b == self.controller else ''}" for b in ids])
        ax.set_yticks([])
        ax.set_title("replicas per broker: dark = leader, light = in ISR, grey = out of ISR")
        return ax
