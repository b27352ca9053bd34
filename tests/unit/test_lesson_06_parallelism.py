"""Pure helpers of lesson 06 (no Kafka)."""

from __future__ import annotations

from collections import Counter

from kafkalab.lessons import parallelism as par


def test_crc32_partition_uses_the_standard_crc32() -> None:
    # 0xCBF43926 is CRC-32's published check value for "123456789"
    assert par.crc32_partition("123456789", 1 << 32) == 0xCBF43926
    assert par.crc32_partition(b"123456789", 7) == 0xCBF43926 % 7
    assert all(0 <= par.crc32_partition(f"k{i}", 4) < 4 for i in range(100))


def test_order_events_are_interleaved_and_numbered() -> None:
    events = par.order_events(hot_orders=3, customers=2, orders_each=1, steps=4)
    assert len(events) == (3 + 2) * 4
    assert events[0]["seq"] == 0 and events[1]["seq"] == 0  # orders interleave in time
    per_order = Counter(e["order"] for e in events)
    assert set(per_order.values()) == {4}
    assert sum(1 for e in events if e["customer"] == "C-HOT") == 12
    for order in per_order:
        seqs = [e["seq"] for e in events if e["order"] == order]
        assert seqs == sorted(seqs)


def test_cores_is_positive() -> None:
    assert par.cores() >= 1
