"""Lesson 03 support against real brokers: where librdkafka puts keys, and what a leader crash
does to acks=1 and to an idempotent acks=all producer."""

from __future__ import annotations

from collections import Counter

from kafkalab.clients import produce, read_to_end
from kafkalab.lessons.producers import (
    acks_under_failure,
    bench,
    crc32_partition,
    durability_check,
    lost_response_stream,
    murmur2_partition,
)


def test_default_partitioner_is_crc32_and_murmur2_random_is_java(cluster) -> None:
    topic = cluster.create_topic(partitions=6, replication_factor=1)
    keys = [f"key-{i}" for i in range(120)]
    default = produce(cluster.producer_config(), topic, keys, keys=keys)
    assert all(r.partition == crc32_partition(r.key, 6) for r in default)
    java = produce(cluster.producer_config(partitioner="murmur2_random"), topic, keys, keys=keys)
    assert all(r.partition == murmur2_partition(r.key, 6) for r in java)
    assert any(crc32_partition(k, 6) != murmur2_partition(k, 6) for k in keys)
    stored = Counter((m.partition(), m.key().decode())
                     for m in read_to_end(cluster.client_config(), topic))
    assert sum(stored.values()) == 240


def test_bench_counts_bytes_on_the_wire(cluster) -> None:
    topic = cluster.create_topic(partitions=1, replication_factor=1)
    plain = bench(cluster, topic, 3000, 200)
    zstd = bench(cluster, topic, 3000, 200, **{"compression.type": "zstd"})
    assert plain.payload_bytes == zstd.payload_bytes == 600_000
    assert zstd.wire_bytes < plain.wire_bytes / 3 and plain.wire_bytes >= plain.payload_bytes


def test_leader_crash_loses_acks1_records_but_not_idempotent_acks_all(cluster3) -> None:
    run = acks_under_failure(cluster3, {"acks=1": {"acks": "1"},
                                        "safe": {"acks": "all", "enable.idempotence": True}},
                             rate=800, duration=3.5, kill_after=1.5, hiccup=0.6, progress=False)
    assert all(b.running for b in cluster3.brokers)
    safe, one = run.audits["safe"], run.audits["acks=1"]
    assert safe.acked == safe.sent and safe.lost == safe.duplicated == safe.reordered == 0
    assert one.acked == one.sent
    assert one.lost > 0, "acks=1 lost nothing although the followers froze before the crash"


def test_durability_check_injects_each_fault(cluster3) -> None:
    check = durability_check(cluster3, {"acks": "1"}, rate=500, duration=3.0)
    assert not check.refused
    assert check.under_min_isr == "acknowledged"
    # the lost response makes a non-idempotent producer store the first batch twice, every time
    assert check.retry is not None and check.retry.duplicated > 0, check.summary()
    assert all(b.running for b in cluster3.brokers)
    idempotent = lost_response_stream(cluster3, {"enable.idempotence": True}, records=100)
    assert idempotent.acked == 100 and idempotent.duplicated == idempotent.reordered == 0
    refused = durability_check(cluster3, {"enable.idempotence": True, "retries": 0})
    assert "retries" in refused.refused and refused.audit is None
