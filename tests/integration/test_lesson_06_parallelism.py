"""Lesson 06 support against real Kafka: idle consumers past the partition count, CRC32 keys,
the KRaft failover timing used by lesson 05."""

from __future__ import annotations

import uuid

from kafkalab.clients import produce
from kafkalab.lessons import parallelism as par
from kafkalab.lessons import zookeeper as zkl


def test_consumers_past_partition_count_are_idle(cluster) -> None:
    topic = cluster.create_topic(partitions=2, prefix="par")
    par.fill(cluster, topic, 300, round_robin=2)
    res = par.consumer_throughput(cluster, topic, 3, cost_ms=1.0, timeout=90)
    assert res["messages"] == 300
    assert res["idle consumers"] == 1
    assert sorted(len(a) for a in res["assigned"]) == [0, 1, 1]
    assert res["msgs/s"] > 0


def test_producer_throughput_sends_for_its_window(cluster) -> None:
    from kafkalab.clients import end_offsets

    topic = cluster.create_topic(partitions=2, prefix="par")
    res = par.producer_throughput(cluster, topic, producers=2, seconds=0.5, warmup=100)
    assert res["seconds"] >= 0.5 and res["msgs/s"] > 0
    # every record sent in the window (and the warm-up) is in the topic
    assert sum(end_offsets(cluster.consumer_config("probe"), topic).values()) == \
        res["messages"] + 2 * 100
    assert par.broker_open_files(cluster) > 0


def test_librdkafka_places_keys_at_crc32(cluster) -> None:
    topic = cluster.create_topic(partitions=5, prefix="crc")
    keys = [uuid.uuid4().hex for _ in range(100)]
    for r in produce(cluster.producer_config(), topic, keys, keys):
        assert r.partition == par.crc32_partition(r.key, 5)


def test_key_scheme_helpers_keep_order(cluster) -> None:
    topic = cluster.create_topic(partitions=6, prefix="keys")
    events = par.order_events(hot_orders=5, customers=2, orders_each=1, steps=3)
    records = par.produce_events(cluster, topic, events, lambda c, o: o)
    assert len(records) == len(events)


def test_kraft_failover_names_a_new_controller(cluster3) -> None:
    topic = cluster3.create_topic(partitions=3, replication_factor=3, prefix="fail")
    try:
        res = zkl.measure_failover(cluster3, topic)
        assert res["mode"] == "kraft" and res["was controller"]
        assert 0 < res["new leaders after (s)"] < 60
    finally:
        zkl.restore(cluster3, [topic])
    assert len(cluster3.describe(topics=[]).brokers) == 3
