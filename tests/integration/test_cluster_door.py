"""The Cluster as the only door: what lessons, the shop, the CLI and the grader used to reach
into a backend for is public (node pids and ports, parallel starts, heal, Kafka's tools,
resource configurations)."""

from __future__ import annotations

import psutil
import pytest

from kafkalab import start_cluster
from kafkalab.exceptions import ConfigReadError, ConfigWriteError, ToolError

pytestmark = pytest.mark.integration


def test_nodes_show_their_process_and_ports(cluster3) -> None:
    nodes = cluster3.nodes
    assert [(n.kind, n.id) for n in nodes] == [("broker", 1), ("broker", 2), ("broker", 3)]
    for n in nodes:
        proc = psutil.Process(n.pid)
        assert "kafka.Kafka" in proc.cmdline()
        listening = {c.laddr.port for c in proc.net_connections("tcp")
                     if c.status == psutil.CONN_LISTEN}
        assert set(n.ports) <= listening and len(n.ports) == 2  # client and controller
        assert n.memory_bytes() > 50 * 2**20
    assert cluster3.version.startswith("4.")


def test_start_brokers_boots_several_at_once_and_heal_undoes_every_fault(cluster3) -> None:
    cluster3.broker(2).kill()
    cluster3.broker(3).kill()
    assert [n.status for n in cluster3.nodes] == ["running", "down", "down"]
    cluster3.start_brokers([2, 3], timeout=90)
    assert all(n.status == "running" for n in cluster3.nodes)
    cluster3.broker(1).pause()
    cluster3.broker(3).kill()
    assert cluster3.broker(1).status == "paused" and cluster3.broker(3).status == "down"
    cluster3.heal(timeout=90)
    assert [n.status for n in cluster3.nodes] == ["running"] * 3
    assert sorted(cluster3.describe(topics=[]).brokers) == [1, 2, 3]


def test_run_tool_uses_the_clusters_version_and_address(cluster3) -> None:
    topic = cluster3.create_topic(partitions=2, replicas=[[3, 1], [1, 3]])
    assert cluster3.describe([topic]).leader(topic, 0) == 3
    out = cluster3.run_tool("org.apache.kafka.tools.TopicCommand", "--describe",
                            "--topic", topic)
    assert f"Topic: {topic}" in out.stdout and "Replicas: 3,1" in out.stdout
    with pytest.raises(ToolError) as err:
        cluster3.run_tool("org.apache.kafka.tools.TopicCommand", "--describe", "--no-such-flag")
    assert err.value.code != 0 and "no-such-flag" in str(err.value)


def test_configs_reads_what_was_set_on_a_topic_a_broker_and_a_group(cluster) -> None:
    topic = cluster.create_topic(config={"retention.ms": "4321000"})
    topic_conf = cluster.configs("topic", topic)
    assert topic_conf["retention.ms"] == "4321000"
    assert topic_conf["cleanup.policy"] == "delete"  # a default, reported too
    # the course's small-machine broker sets this floor to 1000 (Kafka's default is 15000)
    assert cluster.configs("broker", 1)["group.share.min.record.lock.duration.ms"] == "1000"
    # set_configs returns once the brokers describe the change (the broker answering learns
    # it from the controller a moment after it is accepted)
    group = f"configs-{topic}"
    assert cluster.set_configs("group", group, {"share.record.lock.duration.ms": 4000})[
        "share.record.lock.duration.ms"] == "4000"
    changed = cluster.set_configs("topic", topic, {"unclean.leader.election.enable": True,
                                                   "retention.ms": 1234000})
    assert (changed["unclean.leader.election.enable"], changed["retention.ms"]) == \
        ("true", "1234000")
    assert cluster.configs("topic", topic)["retention.ms"] == "1234000"
    with pytest.raises(ConfigReadError) as err:
        cluster.configs("topic", f"{topic}-missing")
    assert not err.value.timed_out and f"{topic}-missing" in err.value.reason
    with pytest.raises(ConfigWriteError) as refused:
        cluster.set_configs("topic", topic, {"retention.ms": "not-a-number"})
    assert not refused.value.timed_out and "change the configuration" in refused.value.reason


def test_zookeeper_mode_nodes_and_state_record() -> None:
    with start_cluster(1, "zookeeper", "local", zookeepers=3, reuse=False) as c:
        assert [(n.kind, n.id) for n in c.nodes] == [("broker", 1), ("zookeeper", 1),
                                                     ("zookeeper", 2), ("zookeeper", 3)]
        assert c.version.startswith("3.")
        state = c.state()
        assert state["mode"] == "zookeeper" and len(state["nodes"]) == 4
        assert {d["pid"] for d in state["nodes"]} == {n.pid for n in c.nodes}
        c.zookeeper(2).kill()
        c.heal(timeout=60)
        assert c.zookeeper(2).status == "running"
