"""Lesson 03 partitioners, checked against Kafka's own murmur2 test vectors (no Kafka needed)."""

from __future__ import annotations

import ctypes
import zlib

import pytest

from kafkalab.lessons.producers import crc32_partition, murmur2, murmur2_partition, payload

# From Kafka's UtilsTest.testMurmur2 (Java int results).
JAVA_MURMUR2 = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


@pytest.mark.parametrize("data,expected", JAVA_MURMUR2.items())
def test_murmur2_matches_java(data: bytes, expected: int) -> None:
    assert ctypes.c_int32(murmur2(data)).value == expected


def test_partitions_are_in_range_and_differ_between_hashes() -> None:
    keys = [f"customer-{i}" for i in range(200)]
    for n in (1, 3, 4, 7):
        assert all(0 <= crc32_partition(k, n) < n for k in keys)
        assert all(0 <= murmur2_partition(k, n) < n for k in keys)
    assert crc32_partition("customer-1", 12) == zlib.crc32(b"customer-1") % 12
    assert sum(crc32_partition(k, 4) != murmur2_partition(k, 4) for k in keys) > 50


def test_str_and_bytes_keys_agree() -> None:
    assert crc32_partition("k", 5) == crc32_partition(b"k", 5)
    assert murmur2_partition("k", 5) == murmur2_partition(b"k", 5)


def test_payload_has_the_requested_size() -> None:
    assert all(len(payload(i, 200)) == 200 for i in range(50))
    assert len(zlib.compress(b"".join(payload(i, 200) for i in range(100)))) < 200 * 100 / 3


# ---- verdicts: every branch, with synthetic measurements --------------------------------------

from kafkalab.lessons.producers import (  # noqa: E402
    acks0_offsets,
    acks1_loss,
    batch_compression,
    idempotence_cost,
    latency_order,
    refusal,
)


def test_acks1_loss_branches() -> None:
    assert "lost nothing" in acks1_loss(0, 1000, 0.5)
    within = acks1_loss(450, 1000, 0.5)
    assert "0.45 s" in within and "no more than" in within
    beyond = acks1_loss(800, 1000, 0.5)
    assert "0.80 s" in beyond and "more than the freeze" in beyond


def test_acks0_offsets_branches() -> None:
    assert "no offset at all" in acks0_offsets(100, 100, 100, 90)
    assert "happen to match" in acks0_offsets(100, 40, 40, 100)
    made_up = acks0_offsets(4000, 2620, 4000, 4000)
    assert "1380 carried one" in made_up and "made up by the client" in made_up


def test_latency_order_branches() -> None:
    assert latency_order({"acks=0": 0.2, "acks=1": 0.5, "acks=all": 0.9}).startswith("As expected")
    assert latency_order({"acks=0": 0.6, "acks=1": 0.5, "acks=all": 0.9}).startswith("Not in")


def test_idempotence_cost_branches() -> None:
    assert "noise" in idempotence_cost(100_000, 95_000) and "Within 15%" in idempotence_cost(
        100_000, 95_000)
    assert "2.0x slower" in idempotence_cost(100_000, 50_000)
    assert "2.0x faster" in idempotence_cost(50_000, 100_000)


def test_batch_compression_branches() -> None:
    assert "compressed better" in batch_compression(0.30, 0.15, "linger.ms=0", "linger.ms=50")
    assert "compressed worse" in batch_compression(0.15, 0.30, "linger.ms=0", "linger.ms=50")
    assert "about the same" in batch_compression(0.20, 0.19, "linger.ms=0", "linger.ms=50")


def test_refusal_names_the_rule_librdkafka_enforces() -> None:
    assert refusal({"acks": "all", "enable.idempotence": True}) == ""
    assert "retries" in refusal({"enable.idempotence": True, "retries": 0})
    assert "acks" in refusal({"enable.idempotence": True, "acks": "1"})
    assert refusal({"no.such.setting": 1})


def test_unclean_verdicts_follow_the_measurement() -> None:
    from kafkalab.lessons.producers import unclean_loss, unclean_offline

    assert "had no leader" in unclean_offline(-1, "_MSG_TIMED_OUT", 3.1)
    assert "Unexpected" in unclean_offline(2, "acknowledged", 3.0)
    assert "Unexpected" in unclean_offline(-1, "acknowledged", 3.0)
    assert "gone for good" in unclean_loss(100, 100, 100, 0, 0)
    assert "200 records" not in unclean_loss(100, 100, 100, 0, 0)
    assert "100 records that acks=all" in unclean_loss(100, 100, 100, 0, 0)
    assert "Nothing acknowledged was lost" in unclean_loss(100, 100, 100, 100, 100)
    assert "including some written while both" in unclean_loss(100, 100, 90, 0, 0)
