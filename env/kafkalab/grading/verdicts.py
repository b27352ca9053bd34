"""Checks of cluster state decided by the grader's own process, outside the student's kernel.

A graded test cell may also have a :class:`ClusterCheck`, registered here by assignment and
grade_id. After the cell ran, the grader asks the kernel for a few facts (JSON values of
expressions: the cluster's client settings, the topic, what the student's function returned),
then runs :mod:`kafkalab.grading.probe` in the submission's **network** namespace only (nsenter;
with ``--sandbox none`` on the host): a grader process that reads the cluster itself and that
the student's code can neither see nor signal (it is not in the sandbox's PID or mount
namespace). The cell keeps its points only if the in-kernel test AND this check pass, so code
that fakes what the kernel's test sees (a rebound ``consume``, forged returns) gets nothing.

The facts come from the kernel, so they say *where* to look (a student can only point the
grader at its own cluster, in its own namespace), never *whether* the test passed. Each check
is a pure function over what the probe read (``judge_*``), unit-tested with synthetic records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clients import Record, crc32_partition, read_to_end, to_record


@dataclass(frozen=True)
class ClusterCheck:
    what: str  # one sentence, for the feedback
    facts: dict[str, str]  # name -> kernel expression whose value is JSON
    run: Callable[[dict[str, Any]], str | None]  # facts -> None, or what was wrong


def judge_placed(records: list[Record], n: int, placed: dict[str, Any],
                 only_events: bool = False) -> str | None:
    """00_welcome exercise 1: ``n`` records ``user-i``/``event-i`` on the cluster, exactly where
    the student's function said they were acknowledged (``only_events``: the topic also holds
    older records, whose values do not start with ``event-``)."""
    if only_events:
        records = [r for r in records if (r.value or "").startswith("event-")]
    if len(records) != n:
        return f"the topic holds {len(records)} messages, not {n}"
    if not all(r.key and r.value == "event-" + r.key.split("-")[-1] for r in records):
        return "the messages on the topic are not the expected key/value pairs"
    on_cluster = {r.key: [r.partition, r.offset] for r in records}
    claimed = {str(k): list(v) if isinstance(v, list | tuple) else v
               for k, v in (placed or {}).items()}
    if on_cluster != claimed:
        return ("the returned (partition, offset) pairs differ from where the messages are on "
                "the cluster")
    return None


def judge_messages(records: list[Record], n: int, partitions: int) -> str | None:
    """00_welcome exercise 1, the records alone: ``n`` records ``user-i``/``event-i``, each in
    the partition the producer's default partitioner picks for its key (whatever the student's
    function returned about them: that is :func:`judge_placed`)."""
    if len(records) != n:
        return f"the topic holds {len(records)} messages, not {n}"
    if sorted((r.key, r.value) for r in records) != sorted(
            (f"user-{i}", f"event-{i}") for i in range(n)):
        return "the messages on the topic are not the expected key/value pairs"
    if not all(r.partition == crc32_partition(r.key or "", partitions) for r in records):
        return "some messages are not in the partition the producer's partitioner picks"
    return None


def _topic_records(facts: dict[str, Any]) -> list[Record]:
    # every record the topic holds, read to its end offsets (no idle wait)
    return [to_record(m) for m in read_to_end(facts["config"], str(facts["topic"]), 15)]


def _messages_on_cluster(facts: dict[str, Any]) -> str | None:
    return judge_messages(_topic_records(facts), int(facts["n"]), int(facts["partitions"]))


def _placed_on_cluster(facts: dict[str, Any]) -> str | None:
    return judge_placed(_topic_records(facts), int(facts["n"]), facts["placed"],
                        only_events=bool(facts.get("only_events")))


_CONFIG = "cluster.client_config()"
_EX1 = {"config": _CONFIG, "topic": "ex1_topic", "n": "N_MESSAGES", "placed": "ex1_placed"}
CHECKS: dict[tuple[str, str], ClusterCheck] = {
    ("00_welcome", "ex1_messages"): ClusterCheck(
        "the grader read the exercise's topic itself: the n messages, each in its key's partition",
        {"config": _CONFIG, "topic": "ex1_topic", "n": "N_MESSAGES", "partitions": "3"},
        _messages_on_cluster),
    ("00_welcome", "ex1_positions"): ClusterCheck(
        "the grader read the exercise's topic itself: every message where produce_keyed said",
        _EX1, _placed_on_cluster),
    ("00_welcome", "ex1_fresh_topic"): ClusterCheck(
        "the grader read the second topic itself: 7 new messages where produce_keyed said",
        {"config": _CONFIG, "topic": "_t", "n": "7", "placed": "_placed",
         "only_events": "True"},
        _placed_on_cluster),
}


def check_for(assignment: str, grade_id: str) -> ClusterCheck | None:
    return CHECKS.get((assignment, grade_id))


def facts_expression(check: ClusterCheck) -> str:
    """One kernel expression whose value is the JSON of every fact (tuples become lists)."""
    items = ", ".join(f"{name!r}: ({expr})" for name, expr in check.facts.items())
    # keys JSON cannot hold (bytes keys of a returned dict) are dropped: the check then says
    # what differs instead of failing to read the facts
    return f'__import__("json").dumps({{{items}}}, default=str, skipkeys=True)'
