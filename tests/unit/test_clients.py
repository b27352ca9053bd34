"""The shared client layer's parts that need no broker: waiting, group balance, where a key
goes, the produce loops against a queue that fills up, and the acknowledged publisher when no
broker answers."""

from __future__ import annotations

import asyncio
import time

import pytest
from confluent_kafka import Producer

from kafkalab import clients


def test_wait_until_returns_the_first_true_value() -> None:
    calls = []

    def ready() -> list[int] | None:
        calls.append(1)
        return [len(calls)] if len(calls) >= 3 else None

    assert clients.wait_until(ready, 5, "three calls", interval=0.01) == [3]
    assert len(calls) == 3


def test_wait_until_times_out_naming_what_it_waited_for() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="the moon"):
        clients.wait_until(lambda: False, 0.2, "the moon", interval=0.02)
    assert 0.2 <= time.monotonic() - start < 2


def test_wait_until_lets_the_predicate_end_the_wait() -> None:
    def gone() -> bool:
        raise RuntimeError("the worker exited")

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="worker exited"):
        clients.wait_until(gone, 30, "progress")
    assert time.monotonic() - start < 1


def test_group_settled() -> None:
    assert clients.group_settled({0: 2, 1: 1}, members=2, partitions=3)
    assert not clients.group_settled({0: 3}, members=2, partitions=3)  # a member not assigned yet
    assert not clients.group_settled({0: 3, 1: 0}, members=2, partitions=3)  # one idle
    assert not clients.group_settled({0: 1, 1: 1}, members=2, partitions=3)  # a partition unowned
    assert clients.group_settled({0: 1, 1: 1, 2: 0}, members=3, partitions=2)  # one must idle


def test_crc32_partition_uses_the_standard_crc32() -> None:
    # 0xCBF43926 is CRC-32's published check value for "123456789"
    assert clients.crc32_partition("123456789", 1 << 32) == 0xCBF43926
    assert clients.crc32_partition(b"123456789", 7) == 0xCBF43926 % 7


class FullQueue:
    """A producer whose local queue is full for the first ``full`` attempts of each record."""

    def __init__(self, full: int, undelivered: int = 0) -> None:
        self.full, self.undelivered = full, undelivered
        self.refused = 0
        self.polls: list[float] = []
        self.records: list[tuple] = []

    def produce(self, topic: str, value: object = None, key: object = None, **kw: object) -> None:
        if self.refused < self.full:
            self.refused += 1
            raise BufferError("Local: Queue full")
        self.refused = 0
        self.records.append((topic, value, key, kw.get("partition")))

    def poll(self, timeout: float) -> int:
        self.polls.append(timeout)
        return 0

    def flush(self, timeout: float) -> int:
        return self.undelivered


def test_send_serves_reports_while_the_queue_is_full() -> None:
    producer = FullQueue(full=2)
    clients.send(producer, "t", b"v", b"k", wait=0.01)  # type: ignore[arg-type]
    assert producer.records == [("t", b"v", b"k", None)]
    assert producer.polls == [0.01, 0.01]


def test_produce_all_sends_every_value_with_its_key_and_partition() -> None:
    producer = FullQueue(full=1)
    sent = clients.produce_all(producer, "t", ["a", "b", "c"], keys=["x", "y", "z"],  # type: ignore[arg-type]
                               partitions=[2, 0, 1])
    assert sent == 3
    assert producer.records == [("t", "a", "x", 2), ("t", "b", "y", 0), ("t", "c", "z", 1)]
    with pytest.raises(RuntimeError, match="1 of 2 records"):
        clients.produce_all(FullQueue(full=0, undelivered=1), "t", ["a", "b"])  # type: ignore[arg-type]


def test_acked_publisher_reports_what_went_wrong_without_a_broker() -> None:
    conf = {"bootstrap.servers": "127.0.0.1:9", "queue.buffering.max.messages": 1,
            "log_level": 0, "socket.connection.setup.timeout.ms": 1000}
    publisher = clients.AckedPublisher(conf)

    async def run() -> tuple[str | None, str | None]:
        waiting = asyncio.create_task(publisher.publish("t", b"one", timeout=1.0))
        await asyncio.sleep(0.2)  # the first record now fills the 1-record queue
        refused = await publisher.publish("t", b"two", wait_when_full=False)
        return refused, await waiting

    refused, unacknowledged = asyncio.run(run())
    assert refused is not None and "full" in refused.lower()
    assert unacknowledged == "no acknowledgement within 1.0 s"
    publisher.close(0.1)
    assert isinstance(publisher.producer, Producer)


def test_read_to_end_ends_at_the_consumers_position_past_a_commit_marker(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A transactional partition ends with a commit marker no consumer receives (offsets 0-2
    records, 3 the marker, high watermark 4): the read ends when the position reaches 4."""
    from confluent_kafka import TopicPartition

    from kafkalab.clients import reading

    class Msg:
        def __init__(self, offset: int) -> None:
            self._offset = offset

        def topic(self) -> str:
            return "t"

        def partition(self) -> int:
            return 0

        def offset(self) -> int:
            return self._offset

        def error(self) -> None:
            return None

    class FakeConsumer:
        def __init__(self, config: dict) -> None:
            self.batches = [[Msg(0), Msg(1), Msg(2)], []]
            self.at = -1001

        def assign(self, parts: list) -> None:
            return None

        def consume(self, n: int, timeout: float) -> list:
            batch = self.batches.pop(0) if self.batches else []
            self.at = 4  # past the marker once the records before it are consumed
            return batch

        def position(self, parts: list) -> list:
            return [TopicPartition(tp.topic, tp.partition, self.at) for tp in parts]

        def close(self) -> None:
            return None

    monkeypatch.setattr(reading, "Consumer", FakeConsumer)
    monkeypatch.setattr(reading, "log_offsets", lambda consumer, name, timeout: {0: (0, 4)})
    started = time.monotonic()
    got = reading.read_to_end({}, "t", timeout=5)
    assert [m.offset() for m in got] == [0, 1, 2]
    assert time.monotonic() - started < 1
