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
