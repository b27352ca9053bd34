"""The managed-Kafka path: a broker that only lets clients in over SASL_SSL (a self-signed
certificate, PLAIN user name and password, as managed services use API key and secret), reached
through the external backend configured by environment variables alone, and the shop on top."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from kafkalab import start_cluster
from kafkalab.ports import free_port

USER, SECRET = "shop-api-key", "shop-api-secret"
JAAS = ("org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="admin" password="admin-secret" user_admin="admin-secret" '
        f'user_{USER}="{SECRET}";')


def make_certificate(tmp: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the broker's PEM keystore (PKCS#8 key and
    certificate, which Kafka reads with ``ssl.keystore.type=PEM``: no JDK keytool needed), and
    the certificate alone for clients."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    store, pem = tmp / "broker.pem", tmp / "ca.pem"
    store.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()) + cert_pem)
    pem.write_bytes(cert_pem)
    return store, pem


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One KRaft broker with a PLAINTEXT listener (inter-broker) and a SASL_SSL listener."""
    tmp = tmp_path_factory.mktemp("sasl")
    store, pem = make_certificate(tmp)
    plain, secure, controller = free_port(), free_port(), free_port()
    broker_config = {
        # our own controller port, so that the listeners can be written out in full
        "controller.quorum.voters": f"1@127.0.0.1:{controller}",
        "listeners": f"PLAINTEXT://127.0.0.1:{plain},SASL_SSL://127.0.0.1:{secure},"
                     f"CONTROLLER://127.0.0.1:{controller}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{plain},SASL_SSL://127.0.0.1:{secure}",
        "listener.security.protocol.map":
            "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN",
        "listener.name.sasl_ssl.plain.sasl.jaas.config": JAAS,
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(store),
    }
    with start_cluster(brokers=1, backend="local", ports=[plain], broker_config=broker_config,
                       reuse=False):
        yield {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{secure}",
               "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISMS": "PLAIN",
               "KAFKA_SASL_USERNAME": USER, "KAFKA_SASL_PASSWORD": SECRET,
               "KAFKA_SSL_CA_LOCATION": str(pem)}


@pytest.fixture
def managed_env(secured: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in secured.items():
        monkeypatch.setenv(key, value)
    return secured


def test_listener_refuses_wrong_credentials_and_plaintext(secured: dict[str, str]) -> None:
    base = {"bootstrap.servers": secured["KAFKA_BOOTSTRAP_SERVERS"], "log_level": 0,
            "socket.timeout.ms": 3000}
    wrong = AdminClient({**base, "security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN",
                         "sasl.username": USER, "sasl.password": "wrong",
                         "ssl.ca.location": secured["KAFKA_SSL_CA_LOCATION"]})
    with pytest.raises(KafkaException):
        wrong.list_topics(timeout=5)
    untrusted = AdminClient({**base, "security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN",
                             "sasl.username": USER, "sasl.password": SECRET})  # no CA given
    with pytest.raises(KafkaException):
        untrusted.list_topics(timeout=5)
    plaintext = AdminClient(base)
    with pytest.raises(KafkaException):
        plaintext.list_topics(timeout=5)


def test_external_backend_from_environment(managed_env: dict[str, str]) -> None:
    cluster = start_cluster(reuse=False)  # backend="auto": the environment names the cluster
    assert cluster.backend == "external"
    conf = cluster.client_config()
    assert conf["security.protocol"] == "SASL_SSL" and conf["sasl.username"] == USER
    name = cluster.create_topic(partitions=2, replication_factor=1)
    from kafkalab.clients import consume, produce

    values = [f"order-{i}" for i in range(20)]
    acked = produce(cluster.producer_config(acks="all"), name, values,
                    keys=[f"k{i % 4}" for i in range(20)])
    assert len(acked) == 20
    got = consume(cluster.client_config(), [name], max_messages=20, timeout=30)
    assert sorted(r.value for r in got) == sorted(values)
    cluster.stop()  # an external cluster is only left, never stopped


def test_shop_runs_on_the_managed_path(managed_env: dict[str, str]) -> None:
    from kafkalab.shop import Shop
    from kafkalab.shop.load import ADDRESS, wait_final

    cluster = start_cluster(backend="external", reuse=False)
    with Shop(cluster, prefix=f"sasl-{uuid.uuid4().hex[:6]}") as shop:
        r = httpx.post(f"{shop.url}/orders", json={"items": {"p-mug": 2}, "address": ADDRESS},
                       timeout=30)
        assert r.status_code == 201, r.text
        oid = r.json()["order_id"]
        t0 = time.monotonic()
        docs = wait_final(shop.url, [oid], timeout=60, progress=False)
        assert docs[oid]["status"] == "shipped", (docs, shop.log("orders"))
        assert time.monotonic() - t0 < 60
    cluster.stop()
