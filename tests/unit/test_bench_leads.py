"""`kafka-lab bench --stock`: the lead over Kafka started without the course (its scripts'
flags, and bare with small-machine flags) is its seconds over the course's, per setup measured
both ways, and those rows carry no course goals."""

from __future__ import annotations

import pytest

from kafkalab import bench

pytestmark = pytest.mark.unit


def test_lead_is_stock_over_local_for_setups_measured_both_ways():
    results = {"local/kraft-1": {"ready_s": 2.0}, "stock/kraft-1": {"ready_s": 6.0},
               "local/kraft-3": {"ready_s": 4.0},  # no stock figure: no lead
               "stock/zookeeper-3": {"ready_s": 9.0}}  # no local figure: no lead
    assert bench.leads(results) == {"kraft-1": 3.0}


def test_yardstick_rows_have_no_goals_and_are_started_with_their_flags(monkeypatch):
    fake = {"ready_s": 1.0, "rss_ready_mib": 100.0, "rss_after_10k_messages_mib": 120.0}
    flags_seen = []

    def stock(brokers, mode, flags):
        flags_seen.append(flags)
        return dict(fake, ready_s=3.0 if flags == "scripts" else 2.0)

    monkeypatch.setattr(bench, "measure", lambda *a, **k: dict(fake))
    monkeypatch.setattr(bench, "measure_stock", stock)
    rows = {**bench.run(repeat=1, backend="stock"), **bench.run(repeat=1, backend="bare")}
    local = bench.run(repeat=1, backend="local")
    assert set(rows) == {f"{y}/{s}" for y in ("stock", "bare")
                         for s in ("kraft-1", "kraft-3", "zookeeper-3")}
    assert flags_seen == ["scripts"] * 3 + ["small"] * 3
    assert all("goal_ready_s" not in f and "meets_memory_goal" not in f for f in rows.values())
    assert local["local/kraft-3"]["meets_memory_goal"] is True
    assert bench.leads({**rows, **local}, "stock") == dict.fromkeys(
        ("kraft-1", "kraft-3", "zookeeper-3"), 3.0)
    assert bench.leads({**rows, **local}, "bare") == dict.fromkeys(
        ("kraft-1", "kraft-3", "zookeeper-3"), 2.0)
