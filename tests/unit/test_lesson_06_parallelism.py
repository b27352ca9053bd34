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


def test_producer_verdict_follows_the_data() -> None:
    rises = par.producer_verdict({1: 100_000, 4: 150_000}, 60, 2)
    assert "raised" in rises and "x1.50" in rises
    fell_busy = par.producer_verdict({1: 624_000, 4: 320_000}, 95, 2)
    assert "lowered" in fell_busy and "saturated, so" in fell_busy
    assert "cores, not the partition count" not in fell_busy  # the old, wrong conclusion
    fell_idle = par.producer_verdict({1: 624_000, 4: 320_000}, 40, 2)
    assert "lowered" in fell_idle and "not saturated" in fell_idle
    flat_busy = par.producer_verdict({1: 300_000, 4: 310_000}, 95, 2)
    assert "cores, not the partition count, were the limit" in flat_busy
    flat_idle = par.producer_verdict({1: 300_000, 4: 310_000}, 40, 2)
    assert "without a saturated CPU" in flat_idle and "0.8 of 2 cores" in flat_idle
    assert "nothing to compare" in par.producer_verdict({4: 1.0}, 50, 2)


def test_consumer_scaling_verdict_follows_the_data() -> None:
    def verdict(rates, cpu, seconds=(3.0, 3.0, 3.0)):
        n = [1, 2, 4]
        return par.consumer_scaling_verdict(dict(zip(n, rates, strict=True)),
                                            dict(zip(n, cpu, strict=True)),
                                            dict(zip(n, seconds, strict=True)), 2)

    assert "read faster" in verdict([100, 150, 190], [50, 70, 90])
    assert "under a second" in verdict([100, 101, 99], [40, 40, 40], (0.2, 0.3, 0.4))
    assert "every core busy" in verdict([100, 101, 99], [95, 96, 97])
    one = verdict([100, 101, 99], [40, 42, 45])
    assert "about one core busy" in one and "0.9 of 2" in one
    spare = verdict([100, 101, 99], [60, 65, 70])
    assert "cores to spare" in spare
    assert "nothing to compare" in par.consumer_scaling_verdict({1: 5.0}, {1: 5.0}, {1: 2.0}, 2)


def test_busy_cores_scales_the_machine_average() -> None:
    assert par.busy_cores(50, 2) == 1.0 and par.busy_cores(100, 8) == 8.0
