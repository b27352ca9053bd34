"""start_cluster(security="managed"): a local KRaft cluster that looks like a managed service
from outside. It refuses a plaintext client, a wrong secret and an unauthorised topic or group,
each with the error a student sees; the least ACLs, granted with the admin API, make the same
code work; keys issued while it runs log in; the controller listener is closed to clients."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from kafkalab import start_cluster
from kafkalab.backends.external import ExternalBackend
from kafkalab.backends.security import read_client_properties
from kafkalab.cluster import Cluster
from kafkalab.exceptions import ConfigReadError, KafkaLabError
from kafkalab.lessons.managed.probes import first_error
from kafkalab.tools import java_client_config, run_tool

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def managed() -> Iterator[Cluster]:
    with start_cluster(security="managed", backend="local", reuse=False) as cluster:
        yield cluster


def errors_of(conf: dict, timeout: float = 10.0) -> tuple[str, float]:
    """The lesson's own probe: every error and log line the client showed, and seconds until
    the first error."""
    attempt = first_error(conf, timeout)
    assert attempt.seconds is not None, f"no error within {timeout} s"
    return " | ".join(attempt.errors + attempt.logs), attempt.seconds


def produce_one(conf: dict, topic: str) -> str | None:
    """Produce one record; the delivery error's text, or None when it was stored."""
    result: list[str | None] = []
    producer = Producer({**conf, "message.timeout.ms": 8000, "log_level": 0})
    producer.produce(topic, b"hello", on_delivery=lambda err, _m: result.append(
        None if err is None else str(err)))
    producer.flush(15)
    return result[0] if result else "no delivery report"


def consume_one(conf: dict, topic: str, group: str) -> tuple[bytes | None, str | None]:
    """(the first value read, the first error seen) within 20 s."""
    consumer = Consumer({**conf, "group.id": group, "auto.offset.reset": "earliest",
                         "log_level": 0})
    consumer.subscribe([topic])
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error() is not None:
                return None, str(msg.error())
            return msg.value(), None
        return None, None
    finally:
        consumer.close()


def test_client_properties_file_has_confluent_cloud_shape(managed: Cluster,
                                                           tmp_path: Path) -> None:
    key = managed.create_api_key("shape")
    path = managed.client_properties(key, tmp_path / "client.properties")
    conf = read_client_properties(path)
    assert conf == {"bootstrap.servers": managed.bootstrap_servers,
                    "security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN",
                    "sasl.username": key.key, "sasl.password": key.secret,
                    "ssl.ca.location": conf["ssl.ca.location"]}
    assert Path(conf["ssl.ca.location"]).read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    assert path.stat().st_mode & 0o077 == 0, "a file holding a secret is private"
    assert key.secret not in repr(key)


def test_refuses_a_plaintext_client(managed: Cluster) -> None:
    text, _ = errors_of({"bootstrap.servers": managed.bootstrap_servers,
                         "socket.timeout.ms": 3000}, timeout=5)
    assert "brokers are down" in text, text
    assert "Disconnected" in text and "APIVERSION_QUERY" in text, text


def test_refuses_a_wrong_secret_quickly(managed: Cluster, tmp_path: Path) -> None:
    key = managed.create_api_key("wrong-secret")
    conf = read_client_properties(managed.client_properties(key, tmp_path / "c.properties"))
    conf["sasl.password"] = "not-the-secret"
    text, seconds = errors_of(conf)
    assert "Authentication failed" in text and "Invalid username or password" in text, text
    assert seconds < 5, f"the authentication error took {seconds:.1f} s"


def test_refuses_a_client_that_does_not_trust_the_ca(managed: Cluster, tmp_path: Path) -> None:
    key = managed.create_api_key("no-ca")
    conf = read_client_properties(managed.client_properties(key, tmp_path / "c.properties"))
    del conf["ssl.ca.location"]
    text, _ = errors_of(conf)
    assert "certificate verify failed" in text, text


def test_no_acl_means_no_access_then_least_acls_work(managed: Cluster, tmp_path: Path) -> None:
    topic = managed.create_topic(prefix="orders")
    group = f"billing-{uuid.uuid4().hex[:6]}"
    key = managed.create_api_key("billing")
    conf = read_client_properties(managed.client_properties(key, tmp_path / "c.properties"))
    assert managed.admin().list_topics(timeout=10).topics.get(topic) is not None
    assert topic not in AdminClient({**conf, "log_level": 0}).list_topics(timeout=10).topics

    err = produce_one(conf, topic)
    assert err is not None and "TOPIC_AUTHORIZATION_FAILED" in err, err
    # configs over SASL_SSL: the cluster's own settings read them, a bare key is refused
    assert managed.configs("topic", topic)["cleanup.policy"] == "delete"
    student = Cluster(ExternalBackend(conf["bootstrap.servers"], security={
        k: v for k, v in conf.items() if k != "bootstrap.servers"}), 1, "kraft", owned=False)
    for kind, name in (("topic", topic), ("broker", "1")):
        with pytest.raises(ConfigReadError) as refused:
            student.configs(kind, name, timeout=10)
        assert "AUTHORIZATION" in refused.value.reason and "ACL" in refused.value.fix
    value, err = consume_one(conf, topic, group)
    assert value is None and err is not None and "GROUP_AUTHORIZATION_FAILED" in err, err

    user = f"User:{key.key}"
    grants = [AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, user, "*",
                         op, AclPermissionType.ALLOW)
              for op in (AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)]
    value, err = consume_one(conf, topic, group)  # the topic alone, without the group
    assert "GROUP_AUTHORIZATION_FAILED" in str(err), err
    grants.append(AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, user, "*",
                             AclOperation.READ, AclPermissionType.ALLOW))
    for fut in managed.admin().create_acls(grants).values():
        fut.result(10)
    listed = managed.admin().describe_acls(AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, user, None, AclOperation.ANY,
        AclPermissionType.ANY)).result(10)
    assert len(listed) == 4
    deadline = time.monotonic() + 15  # ACLs reach the brokers through the metadata log
    while (err := produce_one(conf, topic)) is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert err is None, err
    value, err = consume_one(conf, topic, group)
    assert (value, err) == (b"hello", None)
    other = managed.create_topic(prefix="payments")
    err = produce_one(conf, other)
    assert err is not None and "TOPIC_AUTHORIZATION_FAILED" in err, "least privilege"


def test_the_controller_listener_is_closed_to_clients(managed: Cluster, tmp_path: Path) -> None:
    """Kafka's own quorum tool (a Java admin client that speaks the controller's API) gets in
    with the admin user's settings, and neither as a plaintext client nor with a student key."""
    address = f"127.0.0.1:{managed.broker(1).ports[1]}"
    quorum = "org.apache.kafka.tools.MetadataQuorumCommand"

    def run(security: dict[str, str]) -> tuple[int, str]:
        conf = tmp_path / f"{uuid.uuid4().hex}.properties"
        settings = {**java_client_config(security), "default.api.timeout.ms": "10000",
                    "request.timeout.ms": "5000"}
        conf.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        args = ["--bootstrap-controller", address, "--command-config", str(conf), "describe",
                "--status"]
        out = run_tool(managed.version, quorum, args, {}, timeout=60, check=False)
        return out.returncode, out.stdout + out.stderr

    admin = {**managed.security, "security.protocol": "SASL_PLAINTEXT"}
    del admin["ssl.ca.location"]
    code, text = run(admin)
    assert code == 0 and "LeaderId" in text, text
    code, text = run({})
    assert code != 0 and "LeaderId" not in text, text
    key = managed.create_api_key("controller-probe")
    code, text = run({**admin, "sasl.username": key.key, "sasl.password": key.secret})
    assert code != 0 and "Authentication failed" in text, text


def test_quota_is_set_and_read_with_kafka_configs(managed: Cluster) -> None:
    key = managed.create_api_key("quota")
    managed.set_quota(key.key, producer_byte_rate=65536)
    assert managed.quotas(key.key) == {"producer_byte_rate": 65536.0}
    managed.set_quota(key.key, producer_byte_rate=0)
    assert managed.quotas(key.key) == {}


def test_managed_security_is_checked_before_anything_starts() -> None:
    with pytest.raises(KafkaLabError, match="KRaft"):
        start_cluster(mode="zookeeper", security="managed", reuse=False)
    with pytest.raises(KafkaLabError, match="security="):
        start_cluster(security="tls", reuse=False)
    plain = start_cluster(backend="local", reuse=False)
    try:
        with pytest.raises(KafkaLabError, match="no API keys"):
            plain.create_api_key("x")
    finally:
        plain.stop()
