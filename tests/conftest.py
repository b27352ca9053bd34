"""Shared fixtures: real clusters are session-scoped; tiers are marked by folder.

    pytest -m unit                 # seconds, no Kafka
    pytest -m "not docker and not notebooks and not grading"   # plus real local clusters
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

TIERS = ("unit", "integration", "docker", "notebooks", "grading")


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
