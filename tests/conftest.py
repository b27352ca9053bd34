"""Shared fixtures: real clusters are session-scoped; tiers are marked by folder.

    pytest -m unit                 # seconds, no Kafka
    pytest -m "not docker and not notebooks and not grading"   # plus real local clusters
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TIERS = ("unit", "integration", "docker", "notebooks", "grading", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(str(item.fspath)).parent.name
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def cluster() -> Iterator:
    """One KRaft broker for the whole session (tests use uuid-suffixed topics)."""
    from kafkalab import start_cluster

    with start_cluster(brokers=1, backend="local", reuse=False) as c:
        yield c


@pytest.fixture(scope="session")
def cluster3() -> Iterator:
    """Three KRaft brokers (combined broker+controller nodes) for replication tests.

    Tests that kill or pause a broker must start it again before they end.
    """
    from kafkalab import start_cluster

    with start_cluster(brokers=3, backend="local", reuse=False) as c:
        yield c


@pytest.fixture
def topic_name() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@dataclass
class LeaderKillRun:
    leader: int
    new_leader: int
    acked: list[int]
    consumed: list[int]
    errors: list[str]
    isr_after_restart: tuple[int, ...]


def _produce_through_leader_kill(cluster, total: int = 2000,  # noqa: ANN001
                                 kill_at: int = 700) -> LeaderKillRun:
    """Produce ``total`` numbered records (acks=all, idempotent) to a new topic with
    replication 3 and min.insync.replicas=2; SIGKILL the partition leader after ``kill_at``
    records (from another thread, so producing goes on meanwhile); read everything back; then
    start the broker again and wait for it to rejoin the ISR."""
    from confluent_kafka import Producer

    from kafkalab.clients import consume

    topic = cluster.create_topic(partitions=1, replication_factor=3, min_insync_replicas=2)
    leader = cluster.leader(topic)
    producer = Producer(cluster.producer_config(acks="all", enable_idempotence=True,
                                                linger_ms=5))
    acked: list[int] = []
    errors: list[str] = []

    def report(err, msg) -> None:  # noqa: ANN001
        (errors.append(str(err)) if err is not None else acked.append(int(msg.value())))

    killer = threading.Thread(target=cluster.broker(leader).kill)
    try:
        for i in range(total):
            producer.produce(topic, str(i).encode(), on_delivery=report)
            producer.poll(0)
            if i == kill_at:
                killer.start()
            time.sleep(0.001)
        killer.join()
        assert not cluster.broker(leader).running
        assert producer.flush(90) == 0
        new_leader = cluster.wait_until_leader(topic, not_on=leader)
        got = consume(cluster.client_config(), [topic], max_messages=total, timeout=60)
    finally:
        if killer.is_alive():
            killer.join()
        cluster.broker(leader).start()
    isr = cluster.wait_until_isr(topic, contains=[leader], timeout=90)
    return LeaderKillRun(leader, new_leader, acked, [int(r.value) for r in got], errors, isr)


@pytest.fixture
def leader_kill_run():
    return _produce_through_leader_kill
