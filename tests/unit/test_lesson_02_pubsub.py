"""Lesson 02 support without Kafka: the order stream, content rules and routing decisions."""

from __future__ import annotations

import pytest

from kafkalab.lessons import pubsub as ps


def test_orders_are_reproducible_and_well_formed() -> None:
    a, b = ps.make_orders(200, seed=3), ps.make_orders(200, seed=3)
    assert a == b and a != ps.make_orders(200, seed=4)
    assert [e["id"] for e in a] == list(range(200))
    assert {e["region"] for e in a} == set(ps.REGIONS)
    assert all(1 <= e["amount"] <= 500 and e["customer"].startswith("c") for e in a)


def test_rule_checks_every_condition_and_counts_them() -> None:
    rule = ps.Rule((("region", "==", "eu"), ("amount", ">=", 100), ("category", "in", ["books"])))
    counter = [0]
    assert rule.evaluate({"region": "eu", "amount": 100, "category": "books"}, counter)
    assert counter == [3]
    assert not rule.evaluate({"region": "us", "amount": 500, "category": "books"}, counter)
    assert counter == [4]  # stops at the first failing condition
    assert not rule.evaluate({"region": "eu", "amount": 99, "category": "books"})


def test_subscriber_rules_differ_and_have_the_requested_size() -> None:
    rules = ps.subscriber_rules(8, conditions=3)
    assert len(rules) == 8 and len(set(rules)) == 8
    assert all(len(r.conditions) == 3 for r in rules)
    assert all(len(r.conditions) == 5 for r in ps.subscriber_rules(2, conditions=5))


def test_filter_router_targets_every_matching_rule() -> None:
    rules = {"eu": ps.Rule((("region", "==", "eu"),)), "big": ps.Rule((("amount", ">", 400),))}
    targets = ps.filter_router(rules)
    counter = [0]
    assert targets({"region": "eu", "amount": 450}, counter) == ["eu", "big"]
    assert targets({"region": "us", "amount": 10}, counter) == []
    assert counter == [4]


def test_region_processor_filters_then_routes() -> None:
    targets = ps.region_processor({"eu": "t-eu", "us": "t-us", "apac": "t-apac"}, min_amount=100)
    counter = [0]
    assert targets({"region": "us", "amount": 100}, counter) == ["t-us"]
    assert targets({"region": "eu", "amount": 99}, counter) == []
    assert counter == [2]


def test_measure_rejects_an_unknown_model() -> None:
    with pytest.raises(ValueError, match="topic"):
        ps.measure(None, "broadcast", "t", ps.make_orders(3), 1)
