"""Apache Kafka without the course (kafkalab.stock), the bench's yardsticks: it starts with its
scripts' flags or the small-machine ones, answers a producer, and leaves no process or folder
behind."""

from __future__ import annotations

import psutil
import pytest

from kafkalab.backends.cache import has_own_archive
from kafkalab.clients import consume, produce
from kafkalab.java import scripts_java
from kafkalab.stock import KAFKA_HEAP, SMALL, StockCluster


@pytest.mark.parametrize(("mode", "flags"), [("kraft", "scripts"), ("zookeeper", "small")])
def test_stock_kafka_starts_with_its_flags_and_leaves_nothing(mode: str, flags: str) -> None:
    with StockCluster(1, mode, flags) as stock:
        seconds = stock.start(timeout=180)
        assert seconds > 0
        pids = [c.pid for c in stock.children]
        assert len(pids) == (1 if mode == "kraft" else 2)  # + ZooKeeper in ZooKeeper mode
        broker = psutil.Process(pids[-1]).cmdline()
        assert "kafka.Kafka" in broker
        assert all(f in broker for f in (KAFKA_HEAP if flags == "scripts" else SMALL))
        assert not has_own_archive(broker)  # no class archive (CDS or AOT cache) of ours
        assert broker[0] == str(scripts_java())  # the java Kafka's scripts would run
        config = {"bootstrap.servers": stock.bootstrap_servers}
        produce(config, "t", [b"x"] * 10)
        assert len(consume(config, ["t"], max_messages=10, timeout=30)) == 10
        home = stock.home
    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
                   for p in pids)
    assert not home.exists()
