"""Lesson 02 support on a real broker: who gets what in each model, and the counted work."""

from __future__ import annotations

import json
import uuid

import pytest

from kafkalab.clients import consume, produce_all
from kafkalab.lessons import pubsub as ps


@pytest.fixture(scope="module")
def orders(cluster) -> tuple[str, list[dict]]:
    topic = cluster.create_topic(prefix="ps-orders", partitions=4, replication_factor=1)
    events = ps.make_orders(600, seed=11)
    assert ps.fill(cluster, topic, events) == 600
    return topic, events


def test_fill_keeps_each_customer_in_one_partition(cluster, orders) -> None:
    topic, events = orders
    assert sum(ps.partition_sizes(cluster, topic).values()) == len(events)
    got = consume(cluster.client_config(), [topic], max_messages=len(events), timeout=30)
    where: dict[str, set[int]] = {}
    for r in got:
        where.setdefault(r.key, set()).add(r.partition)
        assert json.loads(r.value)["customer"] == r.key
    assert all(len(p) == 1 for p in where.values())


def test_queue_split_serves_each_job_once_and_leaves_extra_workers_idle(cluster) -> None:
    topic = cluster.create_topic(prefix="ps-jobs", partitions=2, replication_factor=1)
    jobs = ps.make_orders(100, seed=2)
    workers = ps.queue_split(cluster, topic, f"{topic}-group", 3, jobs, timeout=90)
    ids = sorted(e["id"] for w in workers for e in w.kept)
    assert ids == list(range(100))
    assert sorted(len(w.partitions) for w in workers) == [0, 1, 1]


@pytest.mark.parametrize("model", ps.MODELS)
def test_measure_delivers_what_each_model_promises(cluster, orders, model: str) -> None:
    topic, events = orders
    res = ps.measure(cluster, model, topic, events, 2, conditions=2, min_amount=100, timeout=60)
    assert res["complete"], res
    rules = ps.subscriber_rules(2, 2)
    if model == "topic":
        assert res["deliveries_per_msg"] == 2 and res["kept"] == [600, 600]
    elif model == "queue":
        assert res["deliveries_per_msg"] == 1 and sum(res["kept"]) == 600
    elif model.startswith("content"):
        assert res["kept"] == [sum(r.evaluate(e) for e in events) for r in rules]
        assert res["evaluations_per_msg"] > 0
    else:  # hybrid: subscriber i reads region i % 3, orders of amount >= 100
        want = [sum(e["region"] == ps.REGIONS[i] and e["amount"] >= 100 for e in events)
                for i in range(2)]
        assert res["kept"] == want
        assert res["writes_per_msg"] == round(sum(e["amount"] >= 100 for e in events) / 600, 3)


def test_share_group_redelivers_after_a_consumer_kill(cluster) -> None:
    """Records a killed share consumer held come back to another, and those of a frozen one
    once the acquisition lock expires (not before), with their delivery count one higher; a
    record released every time stops at the group's delivery-count limit."""
    topic = cluster.create_topic(prefix="hold", partitions=1)
    group = f"hold-{uuid.uuid4().hex[:6]}"
    config = ps.configure_group(cluster, group, share_record_lock_duration_ms=2000,
                                share_delivery_count_limit=3)
    assert config["share.record.lock.duration.ms"] == "2000"
    assert config["share.delivery.count.limit"] == "3"
    assert "errors.deadletterqueue.topic.name" in config  # errors.* configs are kept too
    assert config == ps.group_config(cluster, group)
    assert ps.broker_limits(cluster)["group.share.min.record.lock.duration.ms"] == "1000"
    killed = ps.kill_holder(cluster, topic, group, [f"job-{i}" for i in range(10)])
    assert killed["held"] and killed["redelivered"] == sorted(killed["held"])
    assert killed["counts_after"] == [c + 1 for c in killed["counts_before"]]
    frozen_topic = cluster.create_topic(prefix="frozen", partitions=1)
    frozen = ps.kill_holder(cluster, frozen_topic, group, [f"job-{i}" for i in range(10)],
                            freeze=True)
    assert frozen["redelivered"] == sorted(frozen["held"])
    assert frozen["counts_after"] == [c + 1 for c in frozen["counts_before"]]
    assert frozen["lock_held_s"] is not None and frozen["lock_held_s"] >= 1.8  # not before

    poison = cluster.create_topic(prefix="poison", partitions=1)
    produce_all(cluster.producer(), poison, [b"ok", b"poison"])
    seen = ps.release_until_archived(cluster, poison, group, b"poison")
    assert seen["delivery_counts"] == [1, 2, 3] and seen["stopped"]


def test_a_share_group_keeps_more_consumers_busy_than_partitions(cluster) -> None:
    """4 consumers on 2 partitions: a classic group keeps at most 2 busy, a share group (jobs
    one per record batch) more than 2; every job processed once in each."""
    busy = {}
    for kind in ("classic", "share"):
        topic = cluster.create_topic(prefix=f"spread-{kind}", partitions=2)
        workers = ps.spread(cluster, topic, f"{kind}-{uuid.uuid4().hex[:6]}", 4, 200, kind)
        assert sum(w.records for w in workers) == 200, [w.records for w in workers]
        busy[kind] = sum(1 for w in workers if w.records)
    assert busy["classic"] <= 2 and busy["share"] > 2, busy
