"""The grader-side cluster checks' verdicts, on synthetic records (every branch), and the
facts expression the grader sends to the kernel."""

from __future__ import annotations

import dataclasses
import json

from kafkalab.clients import Record, crc32_partition
from kafkalab.grading.verdicts import (
    CHECKS,
    check_for,
    facts_expression,
    judge_messages,
    judge_placed,
)


def _records(n: int, value: str = "event-{i}") -> list[Record]:
    return [Record("t", i % 2, i // 2, f"user-{i}", value.format(i=i), 0, {}) for i in range(n)]


def _placed(records: list[Record]) -> dict:
    return {r.key: [r.partition, r.offset] for r in records}  # as JSON brings it back


def test_placed_where_claimed() -> None:
    recs = _records(10)
    assert judge_placed(recs, 10, _placed(recs)) is None


def test_wrong_count() -> None:
    recs = _records(9)
    assert "holds 9 messages, not 10" in judge_placed(recs, 10, _placed(recs))


def test_wrong_values() -> None:
    recs = _records(10, value="other-{i}")
    assert "key/value" in judge_placed(recs, 10, _placed(recs))


def test_claimed_placement_differs() -> None:
    recs = _records(10)
    claimed = {f"user-{i}": [0, i] for i in range(10)}  # what a faked produce_keyed says
    assert "differ" in judge_placed(recs, 10, claimed)


def test_nothing_on_the_cluster() -> None:
    assert "holds 0 messages" in judge_placed([], 10, {f"user-{i}": [0, i] for i in range(10)})


def test_facts_expression_is_json_of_every_fact() -> None:
    check = check_for("00_welcome", "ex1_positions")
    assert check is not None and check is CHECKS[("00_welcome", "ex1_positions")]
    expr = facts_expression(check)
    ns = {"cluster": type("C", (), {"client_config": lambda self: {"bootstrap.servers": "x:1"}})(),
          "ex1_topic": "t", "N_MESSAGES": 10, "ex1_placed": {"user-0": (1, 2)}}
    facts = json.loads(eval(expr, ns))  # noqa: S307 - our own expression
    assert facts == {"config": {"bootstrap.servers": "x:1"}, "topic": "t", "n": 10,
                     "placed": {"user-0": [1, 2]}}
    assert check_for("00_welcome", "no_such_cell") is None


def test_a_topic_with_older_records_counts_only_the_new_ones() -> None:
    new = _records(7)
    old = [Record("t", 0, 100 + i, None, f"old-{i}", 0, {}) for i in range(6)]
    assert judge_placed(new + old, 7, _placed(new), only_events=True) is None
    assert "holds 13 messages" in judge_placed(new + old, 7, _placed(new))


def _partitioned(n: int, partitions: int, key: str = "user-{i}") -> list[Record]:
    keys = [key.format(i=i) for i in range(n)]
    return [Record("t", crc32_partition(k, partitions), i, k, f"event-{i}", 0, {})
            for i, k in enumerate(keys)]


def test_messages_judged_on_the_records_alone() -> None:
    """ex1_messages says nothing about what the function returned (that is ex1_positions):
    bytes keys in the returned dict lose ex1_positions, not ex1_messages."""
    assert judge_messages(_partitioned(10, 3), 10, 3) is None
    assert "holds 9 messages" in judge_messages(_partitioned(9, 3), 10, 3)
    wrong_pairs = [dataclasses.replace(r, value="other") for r in _partitioned(10, 3)]
    assert "key/value" in judge_messages(wrong_pairs, 10, 3)
    all_in_zero = [dataclasses.replace(r, partition=0) for r in _partitioned(10, 3)]
    assert "partition" in judge_messages(all_in_zero, 10, 3)
    messages = check_for("00_welcome", "ex1_messages")
    assert messages is not None and "placed" not in messages.facts.values()


def test_facts_survive_bytes_keys_and_the_verdict_says_what_differs() -> None:
    check = CHECKS[("00_welcome", "ex1_positions")]
    ns = {"cluster": type("C", (), {"client_config": lambda self: {}})(), "ex1_topic": "t",
          "N_MESSAGES": 2, "ex1_placed": {b"user-0": (0, 0), b"user-1": (0, 1)}}
    facts = json.loads(eval(facts_expression(check), ns))  # noqa: S307 - our own expression
    assert facts["placed"] == {}
    recs = [Record("t", 0, i, f"user-{i}", f"event-{i}", 0, {}) for i in range(2)]
    assert "differ" in judge_placed(recs, 2, facts["placed"])
