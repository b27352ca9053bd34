"""Lesson 05 support against a real ZooKeeper-mode cluster (ZooKeeper 3.8 + Kafka 3.9 brokers):
kazoo sees a killed broker's ephemeral znode vanish and /controller move to another broker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kafkalab.clients import produce
from kafkalab.lessons import zookeeper as zkl


@pytest.fixture(scope="module")
def zk_cluster() -> Iterator:
    from kafkalab import start_cluster

    with start_cluster(brokers=3, mode="zookeeper", backend="local", reuse=False) as c:
        yield c


@pytest.fixture(scope="module")
def zk(zk_cluster) -> Iterator:
    client = zkl.connect(zk_cluster.zookeeper_connect)
    yield client
    client.stop()


@pytest.fixture(scope="module")
def topic(zk_cluster) -> str:
    return zk_cluster.create_topic(partitions=3, replication_factor=3, prefix="zk")


def test_znodes_match_the_admin_api(zk_cluster, zk, topic) -> None:
    desc = zk_cluster.describe(topics=[topic])
    assert sorted(int(b) for b in zk.get_children("/brokers/ids")) == sorted(desc.brokers)
    assert zkl.read(zk, "/controller")["brokerid"] == desc.controller
    for p in range(3):
        state = zkl.read(zk, f"/brokers/topics/{topic}/partitions/{p}/state")
        assert state["leader"] == desc.leader(topic, p)
        assert sorted(state["isr"]) == sorted(desc.isr(topic, p))
    rows = {r["path"]: r for r in zkl.znode_rows(zk)}
    assert rows["/brokers/ids/1"]["ephemeral"] and rows["/controller"]["ephemeral"]
    assert not rows[f"/brokers/topics/{topic}"]["ephemeral"]
    # the broker reports the session timeout the course gives it (Kafka's default is 18000)
    assert zkl.broker_setting(zk_cluster, desc.controller, "zookeeper.session.timeout.ms") == "6000"
    assert zkl.broker_setting(zk_cluster, 1, "no.such.setting") is None


def test_killed_broker_znode_vanishes(zk_cluster, zk, topic) -> None:
    timeline = zkl.Timeline(zk)
    controller = zkl.read(zk, "/controller")["brokerid"]
    victim = next(b for b in zk_cluster.broker_ids if b != controller)
    try:
        t_kill = timeline.now()
        timeline.mark(f"kill {victim}")
        zk_cluster.broker(victim).kill()
        gone = timeline.wait_for("/brokers/ids", lambda e: victim not in e.data, after=t_kill,
                                 timeout=60)
        assert zk.exists(f"/brokers/ids/{victim}") is None
        assert gone.t - t_kill > 0.5, "an ephemeral znode outlives a SIGKILL until the session ends"
        zk_cluster.wait_until(lambda d: all(p.leader not in (victim, -1) for p in d.topic(topic)),
                              topics=[topic], timeout=60)
    finally:
        zkl.restore(zk_cluster, [topic])
        timeline.close()
    assert zk.exists(f"/brokers/ids/{victim}") is not None
    assert timeline.wait_for("/brokers/ids", lambda e: victim in e.data, after=t_kill)


def test_controller_moves_when_killed(zk_cluster, zk, topic) -> None:
    old = zkl.read(zk, "/controller")["brokerid"]
    epoch = zkl.read(zk, "/controller_epoch")
    try:
        zk_cluster.broker(old).kill()
        deadline = time.monotonic() + 60
        new = old
        while time.monotonic() < deadline:
            new = zkl.controller_id(zk) or old  # None between controllers
            if new != old:
                break
            time.sleep(0.1)
        assert new != old, f"/controller still names broker {old} after 60 s"
        assert zkl.read(zk, "/controller_epoch") > epoch
        assert zk_cluster.wait_until_controller(not_on=old, timeout=60) == new
    finally:
        zkl.restore(zk_cluster, [topic])


def test_zookeeper_holds_no_messages(zk_cluster, zk, topic) -> None:
    zk_cluster.admin().list_topics(timeout=10)
    before = int(zkl.server_stats(zk)["zk_approximate_data_size"])
    produce(zk_cluster.producer_config(), topic, [b"x" * 1000] * 2000)
    after = int(zkl.server_stats(zk)["zk_approximate_data_size"])
    assert abs(after - before) < 2000, (before, after)  # 2 MB of messages went elsewhere


def test_measure_failover_in_zookeeper_mode(zk_cluster, topic) -> None:
    try:
        res = zkl.measure_failover(zk_cluster, topic)
        assert res["was controller"] and res["partitions it led"] >= 1
        assert 0 < res["new leaders after (s)"] < 60
    finally:
        zkl.restore(zk_cluster, [topic])
    assert len(zk_cluster.describe(topics=[]).brokers) == 3


def test_exam_state_is_read_only_through_the_given_client(zk_cluster, zk) -> None:
    state = zkl.exam_state(7)
    with zkl.written_state(zk, zk_cluster.zookeeper_connect, state) as client:
        ids = sorted(int(c) for c in client.get_children("/brokers/ids"))
        assert ids == state.brokers
        assert zkl.controller_id(client) == state.controller
        for p, leader in state.leaders.items():
            assert zkl.read(client, f"/brokers/topics/{state.topic}/partitions/{p}/state")[
                "leader"] == leader
        # the brokers' registrations and /controller are ephemeral, owned by the writer's session
        session = zk.client_id[0]
        for b in state.brokers:
            assert client.exists(f"/brokers/ids/{b}").ephemeralOwner == session
        assert client.exists("/controller").ephemeralOwner == session
        assert client.exists("/brokers/ids").ephemeralOwner == 0
        # an election and a failover, seen by the same client
        zkl.elect_controller(client, None)
        assert zkl.controller_id(client) is None
        epoch = int(zkl.read(client, "/controller_epoch"))
        zkl.elect_controller(client, state.brokers[0])
        assert zkl.controller_id(client) == state.brokers[0]
        assert int(zkl.read(client, "/controller_epoch")) == epoch + 1
        before = zkl.read(client, f"/brokers/topics/{state.topic}/partitions/0/state")
        new = zkl.move_leader(client, state.topic, 0)
        after = zkl.read(client, f"/brokers/topics/{state.topic}/partitions/0/state")
        assert new != before["leader"] and new in before["isr"]
        assert after["leader"] == new and before["leader"] not in after["isr"]
        assert after["leader_epoch"] == before["leader_epoch"] + 1
        with pytest.raises(ValueError):
            zkl.move_leader(client, state.topic, 3)  # offline: no replica to lead
        root = next(c for c in zk.get_children("/") if c.startswith("exam-"))
    assert not zk.exists(f"/{root}"), "the exam tree is removed afterwards"
    # the brokers' own tree is untouched
    assert sorted(int(c) for c in zk.get_children("/brokers/ids")) == [1, 2, 3]


def test_zookeeper_opens_no_partition_file(zk_cluster, topic) -> None:
    assert zkl.open_log_files(zk_cluster.zookeeper(1).pid) == []
    assert any(topic in f for b in zk_cluster.broker_ids
               for f in zkl.open_log_files(zk_cluster.broker(b).pid))


def test_moving_parts_counts_zookeeper(zk_cluster) -> None:
    rows = zkl.moving_parts(zk_cluster)
    assert [r["process"] for r in rows].count("zookeeper 1") == 1
    assert sum(1 for r in rows if r["process"].startswith("broker")) == 3
    assert all(r["listening ports"] for r in rows)
