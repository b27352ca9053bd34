"""The shared client layer against a real broker: produce_all and read_to_end, offsets and a
group's lag, and the acknowledged publisher."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from kafkalab import clients


def test_read_to_end_reads_every_partition_of_every_topic(cluster) -> None:
    a = cluster.create_topic(partitions=3, prefix="rte-a")
    b = cluster.create_topic(partitions=1, prefix="rte-b")
    empty = cluster.create_topic(partitions=2, prefix="rte-empty")
    producer = Producer(cluster.producer_config())
    assert clients.produce_all(producer, a, [f"a{i}" for i in range(300)],
                               keys=[f"k{i % 17}" for i in range(300)]) == 300
    clients.produce_all(producer, b, ["b0", "b1"], partitions=[0, 0])
    got = clients.read_to_end(cluster.client_config(), [b, a, empty], timeout=30)
    assert [m.value() for m in got[:2]] == [b"b0", b"b1"]  # topics in the order given
    rest = got[2:]
    assert sorted(m.value().decode() for m in rest) == sorted(f"a{i}" for i in range(300))
    keys = [(m.partition(), m.offset()) for m in rest]
    assert keys == sorted(keys) and len({p for p, _ in keys}) == 3
    assert all(m.partition() == clients.crc32_partition(m.key(), 3) for m in rest)
    assert clients.read_to_end(cluster.client_config(), empty) == []
    with pytest.raises(KeyError, match="create it first"):
        clients.read_to_end(cluster.client_config(), [a, f"missing-{uuid.uuid4().hex[:6]}"])



def test_read_to_end_stops_at_a_transaction_commit_marker(cluster) -> None:
    """A transactional partition ends with a commit marker, a record no consumer receives: the
    read ends when the consumer's position reaches the high watermark, not on a timeout."""
    import time

    topic = cluster.create_topic(partitions=2, prefix="rte-txn")
    producer = Producer({**cluster.producer_config(), "log_level": 0,
                         "transactional.id": f"rte-{uuid.uuid4().hex[:8]}"})
    producer.init_transactions(30)
    producer.begin_transaction()
    for i in range(6):
        producer.produce(topic, value=f"t{i}", partition=i % 2)
    producer.commit_transaction(30)
    assert all(high == 4 for _low, high in clients.log_offsets(cluster.client_config(),
                                                               topic).values())  # 3 + marker
    started = time.monotonic()
    got = clients.read_to_end(cluster.client_config(), topic, timeout=10)
    assert sorted(m.value() for m in got) == [f"t{i}".encode() for i in range(6)]
    assert time.monotonic() - started < 5

def test_offsets_and_group_lag(cluster) -> None:
    topic = cluster.create_topic(partitions=2, prefix="lag")
    producer = Producer(cluster.producer_config())
    clients.produce_all(producer, topic, ["x"] * 5 + ["y"] * 3, partitions=[0] * 5 + [1] * 3)
    config = cluster.client_config()
    assert clients.log_offsets(config, topic) == {0: (0, 5), 1: (0, 3)}
    assert clients.end_offsets(config, topic) == {0: 5, 1: 3}
    group = {**cluster.consumer_config(f"g-{uuid.uuid4().hex[:6]}"), "log_level": 0}
    assert clients.group_offsets(group, topic) == {0: -1001, 1: -1001}
    assert clients.group_lag(group, topic) == {0: 5, 1: 3}
    member = Consumer(group)
    try:
        member.commit(offsets=[TopicPartition(topic, 0, 4)], asynchronous=False)
        assert clients.group_offsets(member, topic) == {0: 4, 1: -1001}
        assert clients.group_lag(member, topic) == {0: 1, 1: 3}  # the consumer is reused
        assert member.assignment() == []
    finally:
        member.close()


def test_acked_publisher_keeps_the_cluster_settings(cluster) -> None:
    topic = cluster.create_topic(partitions=1, prefix="acked")
    publisher = clients.AckedPublisher(cluster.producer_config(acks="all"))

    async def run() -> list[str | None]:
        return list(await asyncio.gather(*(publisher.publish(topic, f"v{i}", f"k{i}")
                                           for i in range(20))))

    try:
        assert asyncio.run(run()) == [None] * 20
    finally:
        publisher.close()
    stored = clients.read_to_end(cluster.client_config(), topic)
    assert sorted(m.value() for m in stored) == sorted(f"v{i}".encode() for i in range(20))
