"""The backend-neutral plan: one ClusterSpec, the same nodes for every layout."""

from __future__ import annotations

import pytest

from kafkalab.backends.plan import (
    KAFKA_MAIN,
    ZK_MAIN,
    ClusterSpec,
    ContainerLayout,
    HostLayout,
    Mode,
    plan,
)

pytestmark = pytest.mark.unit
BOOT = {"bootstrap.checkpoint": b"ckpt"}


def props(node, name: str = "server.properties") -> dict[str, str]:
    lines = node.files[name].decode().splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def ids():
    n = iter(range(1000))
    return lambda: f"id{next(n)}"


def host3(zk: int = 0) -> HostLayout:
    return HostLayout("/tmp/c", [9001, 9002, 9003], [9101, 9102, 9103],
                      [2181 + i for i in range(zk)],
                      [(2888 + i, 3888 + i) for i in range(zk)] if zk > 1 else [])


def test_mode_is_parsed_once_and_carries_its_version() -> None:
    assert Mode.parse("kraft") is Mode.KRAFT and Mode.parse(Mode.ZOOKEEPER) is Mode.ZOOKEEPER
    assert Mode.KRAFT.version.startswith("4.") and Mode.ZOOKEEPER.version.startswith("3.")
    assert Mode.KRAFT.log_config[0] == "log4j2.properties"
    with pytest.raises(ValueError, match="zk"):
        Mode.parse("zk")


def test_kraft_nodes_share_a_cluster_id_and_list_every_voter() -> None:
    nodes = plan(ClusterSpec(3), host3(), BOOT, ids())
    assert [n.name for n in nodes] == ["broker-1", "broker-2", "broker-3"]
    metas = [props(n, "data/meta.properties") for n in nodes]
    assert len({m["cluster.id"] for m in metas}) == 1
    assert len({m["directory.id"] for m in metas}) == 3
    assert [m["node.id"] for m in metas] == ["1", "2", "3"]
    p = props(nodes[1])
    assert p["controller.quorum.voters"] == ("1@127.0.0.1:9101,2@127.0.0.1:9102,"
                                             "3@127.0.0.1:9103")
    assert p["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9002"
    assert p["offsets.topic.replication.factor"] == "3"
    assert nodes[1].files["data/__cluster_metadata-0/bootstrap.checkpoint"] == b"ckpt"
    assert nodes[1].main == KAFKA_MAIN and nodes[1].listen_ports == [9002, 9102]


def test_one_broker_fits_one_broker() -> None:
    (node,) = plan(ClusterSpec(1), HostLayout("/tmp/c", [9001], [9101]), BOOT, ids())
    p = props(node)
    assert p["offsets.topic.replication.factor"] == "1"
    assert p["transaction.state.log.min.isr"] == "1"
    assert p["group.initial.rebalance.delay.ms"] == "0"


def test_zookeeper_ensemble_gets_myid_and_server_lines_single_gets_neither() -> None:
    nodes = plan(ClusterSpec(3, Mode.ZOOKEEPER, zookeepers=3), host3(3), None, ids())
    zks = [n for n in nodes if n.kind == "zookeeper"]
    assert [n.main for n in zks] == [ZK_MAIN] * 3
    assert [n.files["data/myid"] for n in zks] == [b"1", b"2", b"3"]
    assert props(zks[0], "zoo.cfg")["server.3"] == "127.0.0.1:2890:3890"
    broker = props(nodes[-1])
    assert broker["zookeeper.connect"] == "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183"
    assert broker["broker.id"] == "3"
    single = plan(ClusterSpec(1, Mode.ZOOKEEPER), host3(1), None, ids())
    assert "data/myid" not in single[0].files
    assert not any(k.startswith("server.") for k in props(single[0], "zoo.cfg"))


def test_container_layout_advertises_the_host_port_and_talks_inside_by_name() -> None:
    layout = ContainerLayout("kl", "/kafka-lab/data", [32001, 32002])
    nodes = plan(ClusterSpec(2), layout, BOOT, ids())
    p = props(nodes[0])
    assert p["advertised.listeners"] == ("PLAINTEXT://127.0.0.1:32001,"
                                         "INTERNAL://kl-broker-1:19092")
    assert p["inter.broker.listener.name"] == "INTERNAL"
    assert p["controller.quorum.voters"] == "1@kl-broker-1:9093,2@kl-broker-2:9093"
    assert p["log.dirs"] == "/kafka-lab/data"


def test_overrides_and_jvm_flags_are_arguments_not_globals() -> None:
    spec = ClusterSpec(1, broker_config=(("auto.create.topics.enable", "false"),),
                       jvm_flags=("-XX:ArchiveClassesAtExit=/tmp/a.jsa",))
    (node,) = plan(spec, HostLayout("/tmp/c", [9001], [9101]), BOOT, ids())
    assert props(node)["auto.create.topics.enable"] == "false"
    args = node.java_args("/home/n", "/libs", ["-Dextra"])
    assert "-XX:ArchiveClassesAtExit=/tmp/a.jsa" in args and "-Dextra" in args
    assert args[-4:] == ["-cp", "/libs/*", KAFKA_MAIN, "/home/n/server.properties"]
    assert "-Dlog4j2.configurationFile=/home/n/log4j2.properties" in args
    (plain,) = plan(ClusterSpec(1), HostLayout("/tmp/c", [9001], [9101]), BOOT, ids())
    assert not any("Archive" in a for a in plain.java_args("/h", "/l"))


def test_a_kraft_plan_needs_the_formatted_checkpoint() -> None:
    with pytest.raises(ValueError, match="checkpoint"):
        plan(ClusterSpec(1), HostLayout("/tmp/c", [9001], [9101]), None, ids())


def test_managed_security_leaves_no_plaintext_listener() -> None:
    from kafkalab.backends.security import ManagedSecurity

    sec = ManagedSecurity.create(pool_size=3)
    nodes = plan(ClusterSpec(3), host3(), BOOT, ids(), security=sec)
    p = props(nodes[0])
    assert "PLAINTEXT:PLAINTEXT" not in p["listener.security.protocol.map"]
    assert p["listener.security.protocol.map"] == "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT"
    assert p["listeners"] == "SASL_SSL://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101"
    assert p["allow.everyone.if.no.acl.found"] == "false"
    assert p["super.users"] == f"User:{sec.admin.key}"
    controller_users = p["listener.name.controller.plain.sasl.jaas.config"].count("user_")
    assert controller_users == 1 and all(
        f"user_{k.key}=" in p["listener.name.sasl_ssl.plain.sasl.jaas.config"] for k in sec.pool)
    pool = sec.key_pool()
    first = pool.issue("a")
    assert first.name == "a" and pool.issue("b").key != first.key
    pool.issue("c")
    with pytest.raises(Exception, match="issued"):
        pool.issue("d")
    with pytest.raises(ValueError, match="KRaft"):
        plan(ClusterSpec(1, Mode.ZOOKEEPER), host3(1), None, ids(), security=sec)


def test_client_properties_round_trip(tmp_path) -> None:
    from kafkalab.backends.security import ApiKey, read_client_properties, write_client_properties

    path = write_client_properties(tmp_path / "c.properties", "h:9092", ApiKey("K", "S=x"))
    assert read_client_properties(path) == {
        "bootstrap.servers": "h:9092", "security.protocol": "SASL_SSL",
        "sasl.mechanisms": "PLAIN", "sasl.username": "K", "sasl.password": "S=x"}
