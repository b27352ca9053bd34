"""Pure helpers of lesson 06 (no Kafka)."""

from __future__ import annotations

import zlib
from collections import Counter

import pytest

from kafkalab.lessons import parallelism as par

_SEP = "/"


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


def test_order_events_can_name_another_hot_customer() -> None:
    events = par.order_events(hot_orders=3, customers=2, steps=2, hot_customer="C-042",
                              hot_order_prefix="O-042-")
    hot = {e["order"] for e in events if e["customer"] == "C-042"}
    assert hot == {"O-042-000", "O-042-001", "O-042-002"}
    assert not any(e["customer"] == "C-HOT" for e in events)


def _bucket(order_id):
    return zlib.crc32(order_id.encode()) % 8


def _salted_key(customer_id, order_id):
    return f"{customer_id}{_SEP}{_bucket(order_id)}"


def _hash_key(customer_id, order_id):
    return str(hash((customer_id, order_id)))


def _make_key(sep):
    def key(customer_id, order_id):
        return customer_id + sep + order_id
    return key


_lambda_key = lambda customer_id, order_id: f"{customer_id}|{order_id}"  # noqa: E731


def _crc_key(customer_id, order_id):
    return f"{customer_id}-{par.crc32_partition(order_id, 64)}"


_PAIRS = [("C-HOT", f"O-H{i:03d}") for i in range(20)] + [("C-001", "O-001-0")]


@pytest.mark.parametrize("fn", [_salted_key, _make_key("~"), _lambda_key, _crc_key])
def test_call_elsewhere_rebuilds_a_stable_key(fn) -> None:
    assert par.call_elsewhere(fn, _PAIRS, name="_lambda_key") == [repr(fn(*p)) for p in _PAIRS]


def test_call_elsewhere_sees_a_per_process_hash() -> None:
    there = par.call_elsewhere(_hash_key, _PAIRS)
    assert sum(t != repr(_hash_key(*p)) for t, p in zip(there, _PAIRS, strict=True)) >= 15


def test_call_elsewhere_says_why_it_failed() -> None:
    def needs_kernel_state(customer_id, order_id):
        return str(open_handle)  # noqa: F821 - no such name

    with pytest.raises(RuntimeError, match="NameError"):
        par.call_elsewhere(needs_kernel_state, _PAIRS)


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
