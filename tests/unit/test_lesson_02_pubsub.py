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


def _row(model: str, rate: float, reads: float, writes: float, cpu: float) -> dict:
    return {"model": model, "stream_msgs_per_s": rate, "deliveries_per_msg": reads,
            "writes_per_msg": writes, "cpu_us_per_msg": cpu}


QUEUE_FIRST = [_row("topic", 50_000, 8, 0, 30), _row("queue", 90_000, 1, 0, 10),
               _row("content: consumer filter", 40_000, 8, 0, 45),
               _row("content: router", 30_000, 1.5, 0.5, 40), _row("hybrid", 35_000, 1.4, 0.4, 35)]
NOTES_RIGHT = [_row("topic", 90_000, 1, 0, 5), _row("queue", 10_000, 9, 0, 90),
               _row("content: consumer filter", 40_000, 8, 0, 45),
               _row("content: router", 30_000, 1.5, 0.5, 40), _row("hybrid", 35_000, 1.4, 0.4, 35)]


def test_rankings_order_each_measure_best_first() -> None:
    ranked = ps.rankings(QUEUE_FIRST)
    assert ranked["throughput"][0] == "queue" and ranked["throughput"][-1] == "content: router"
    assert ranked["records moved"][:2] == ["queue", "hybrid"]  # 1.0 < 1.8 < 2.0 < 8
    assert ranked["CPU"] == ["queue", "topic", "hybrid", "content: router",
                             "content: consumer filter"]


def test_notes_verdict_when_the_run_refutes_the_notes() -> None:
    text = ps.notes_verdict(ps.rankings(QUEUE_FIRST), 8)
    assert "agrees with the notes on no measure" in text
    assert "queue comes first here by throughput, records moved, CPU" in text
    assert "delivers less" in text and "At 8 subscribers" in text


def test_notes_verdict_when_the_run_agrees_and_when_it_is_mixed() -> None:
    assert "agrees with the notes on every measure" in ps.notes_verdict(
        ps.rankings(NOTES_RIGHT), 8)
    mixed = [dict(r) for r in NOTES_RIGHT]
    mixed[1]["cpu_us_per_msg"] = 1  # queue now best by CPU
    text = ps.notes_verdict(ps.rankings(mixed), 8)
    assert "only by throughput, records moved" in text and "by CPU" in text


def test_robustness_verdict_names_stable_and_shaky_measures() -> None:
    a = ps.rankings(QUEUE_FIRST)
    shuffled = [dict(r) for r in QUEUE_FIRST]
    shuffled[0]["cpu_us_per_msg"] = 1  # topic wins CPU in the second run
    b = ps.rankings(shuffled)
    text = ps.robustness_verdict([a, b])
    assert "by throughput, records moved was the same every time" in text
    assert "CPU changed between repeats (best: queue or topic)" in text
    assert "same every time" in ps.robustness_verdict([a, a, a]) and "noise" not in \
        ps.robustness_verdict([a, a, a])
    assert "One run only" in ps.robustness_verdict([a])
    all_shaky = ps.robustness_verdict([a, ps.rankings(NOTES_RIGHT)])
    assert all_shaky.startswith("Over 2 repeats, the ranking by throughput changed")


def _cost(model: str, conditions: int, ev: float, cpu: float) -> dict:
    return {"model": model, "conditions": conditions, "evaluations_per_msg": ev,
            "cpu_us_per_msg": cpu}


def test_rule_cost_verdict_follows_the_cpu() -> None:
    up = ps.rule_cost_verdict([_cost("router", 1, 1.0, 10), _cost("router", 6, 2.0, 20)])
    assert "2.00x the conditions" in up and "the rules cost more" in up
    down = ps.rule_cost_verdict([_cost("filter", 1, 1.0, 20), _cost("filter", 6, 1.0, 10)])
    assert "about the same number of conditions" in down and "other costs" in down
    flat = ps.rule_cost_verdict([_cost("filter", 6, 1.5, 10.5), _cost("filter", 1, 1.0, 10)])
    assert "too cheap to show" in flat and "rules of 1 -> 6" in flat


def test_jobs_fail_as_their_kind_says_and_count_every_attempt() -> None:
    jobs = ps.Jobs()
    values = jobs.make(200, seed=2)
    kinds = {k: jobs.of(k) for k in ("good", "transient", "poison")}
    assert all(kinds.values()) and sum(map(len, kinds.values())) == 200
    assert jobs.make(200, seed=2) == values
    t, p, g = kinds["transient"][0], kinds["poison"][0], kinds["good"][0]
    with pytest.raises(ps.TransientError):
        jobs(values[t].encode())
    jobs(values[t].encode())  # works the second time
    for _ in range(2):
        with pytest.raises(ps.PoisonError):
            jobs(values[p].encode())
    jobs(values[g].encode())
    assert (jobs.attempts[t], jobs.done[t]) == (2, 1)
    assert (jobs.attempts[p], jobs.done[p]) == (2, 0)
    assert (jobs.attempts[g], jobs.done[g]) == (1, 1)


def test_redelivery_verdict_tells_early_release_from_lock_expiry() -> None:
    assert "**before** the 5.0 s lock" in ps.redelivery_verdict(0.4, 5.0, "killed")
    assert "once the 5.0 s acquisition lock had expired" in ps.redelivery_verdict(5.1, 5.0,
                                                                                  "frozen")
    assert "did not come back" in ps.redelivery_verdict(None, 5.0, "frozen")


def test_spread_verdict_per_branch() -> None:
    text = ps.spread_verdict({"classic": 2, "share": 4}, 4, 2)
    assert "classic group kept only 2 of 4 busy" in text and "share group kept all 4" in text
    assert "3 of 4 busy, more than its 2 partitions" in ps.spread_verdict({"share": 3}, 4, 2)
