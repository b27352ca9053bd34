"""What the measurements say about rankings: :func:`rankings` of the models per measure,
:func:`notes_verdict` (the notes' "Best: Topic based, worst: queue based" against the run),
:func:`robustness_verdict` (which measures rank the same in every repeat) and
:func:`rule_cost_verdict` (does content filtering cost more as rules grow?).

Each verdict takes plain numbers (no Kafka) and returns one Markdown paragraph whose wording
follows the numbers; the unit tests feed each branch synthetic measurements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: measure -> (column, larger is better)
MEASURES: dict[str, tuple[str, bool]] = {
    "throughput": ("stream_msgs_per_s", True),
    "records moved": ("records_per_msg", False),
    "CPU": ("cpu_us_per_msg", False),
}

NOTES_RANKING = "Scalability: Best: Topic based, worst: queue based"


def rankings(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Models best first, per measure, from one run's rows (one row per model, with
    ``stream_msgs_per_s``, ``deliveries_per_msg``, ``writes_per_msg``, ``cpu_us_per_msg``)."""
    table = {r["model"]: {**r, "records_per_msg": r["deliveries_per_msg"] + r["writes_per_msg"]}
             for r in rows}
    return {name: sorted(table, key=lambda m, c=col, b=big: -table[m][c] if b else table[m][c])
            for name, (col, big) in MEASURES.items()}


def notes_verdict(ranked: Mapping[str, Sequence[str]], subscribers: int) -> str:
    """The notes rank topic best and queue worst; say, measure by measure, where this run
    puts them, and why queue and topic cannot be ranked on one scale."""
    parts, agree = [], []
    for name, order in ranked.items():
        best, worst = order[0], order[-1]
        ok = best == "topic" and worst == "queue"
        agree.append(ok)
        parts.append(f"by {name}, best **{best}**, worst **{worst}** "
                     f"(topic {order.index('topic') + 1}., queue {order.index('queue') + 1}. "
                     f"of {len(order)})")
    if all(agree):
        head = "This run agrees with the notes on every measure"
    elif not any(agree):
        head = "This run agrees with the notes on no measure"
    else:
        which = [n for n, ok in zip(ranked, agree, strict=True) if ok]
        head = f"This run agrees with the notes only by {', '.join(which)}"
    queue_first = [n for n, order in ranked.items() if order[0] == "queue"]
    why = ("The queue moves each record to **one** worker, so its work stays one read per "
           "message however many workers join, while topic subscribers each read **every** "
           "record: the queue does less because it delivers less.")
    if queue_first:
        why += f" That is why the queue comes first here by {', '.join(queue_first)}."
    return (f"At {subscribers} subscribers: {'; '.join(parts)}. {head}. {why} A queue and a "
            "pub-sub topic answer different needs (share work vs. give everyone a copy), so "
            "ranking them on one scale compares unlike things.")


def robustness_verdict(runs: Sequence[Mapping[str, Sequence[str]]]) -> str:
    """Which measures ranked the models the same way in every repeat (robust) and which did
    not (noise at these sizes)."""
    if len(runs) < 2:
        return "One run only: nothing to say about which rankings repeat."
    stable = [n for n in runs[0] if all(list(r[n]) == list(runs[0][n]) for r in runs[1:])]
    shaky = [n for n in runs[0] if n not in stable]
    out = f"Over {len(runs)} repeats, "
    if stable:
        out += f"the ranking by {', '.join(stable)} was the same every time (robust)"
    if shaky:
        winners = {n: sorted({r[n][0] for r in runs}) for n in shaky}
        out += ("; " if stable else "") + "the ranking by " + ", ".join(
            f"{n} changed between repeats (best: {' or '.join(w)})" for n, w in winners.items())
        out += ": read those columns as noise, not as a property of the models"
    return out + "."


def rule_cost_verdict(rows: Sequence[Mapping[str, Any]]) -> str:
    """Given rows (``model``, ``conditions``, ``evaluations_per_msg``, ``cpu_us_per_msg``) of
    the content models at growing rule sizes, say whether the conditions evaluated and the CPU
    per message grew with the rule size in this run."""
    out = []
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = sorted((r for r in rows if r["model"] == model), key=lambda r: r["conditions"])
        lo, hi = mine[0], mine[-1]
        ev = hi["evaluations_per_msg"] / max(lo["evaluations_per_msg"], 1e-9)
        cpu = hi["cpu_us_per_msg"] / max(lo["cpu_us_per_msg"], 1e-9)
        grow = (lo["conditions"], hi["conditions"])
        ev_text = (f"evaluated {ev:.2f}x the conditions per message" if ev > 1.05
                   else "evaluated about the same number of conditions per message")
        if cpu > 1.2:
            cpu_text = f"used {cpu:.2f}x the CPU per message: the rules cost more"
        elif cpu < 0.8:
            cpu_text = (f"used {cpu:.2f}x the CPU per message: less, so other costs "
                        "(reading, decoding JSON, the machine's load) dominate the rules here")
        else:
            cpu_text = (f"used about the same CPU per message ({cpu:.2f}x): the conditions "
                        "are too cheap to show next to reading and decoding")
        out.append(f"**{model}**, rules of {grow[0]} -> {grow[1]} conditions: {ev_text}, "
                   f"{cpu_text}")
    return "; ".join(out) + "."
