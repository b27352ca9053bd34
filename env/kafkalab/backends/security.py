"""A managed-style cluster's security plan: what a cluster looks like from outside when a
service such as Confluent Cloud runs it.

- Clients reach one ``SASL_SSL`` listener and log in with ``PLAIN``: an API key as the user
  name, its secret as the password. TLS uses a certificate signed by a CA made here (the
  ``cryptography`` package), so a client trusts the CA file, not one broker's certificate.
- The KRaft ``StandardAuthorizer`` with ``allow.everyone.if.no.acl.found=false``: a key can do
  nothing until ACLs allow it. One super user (the admin key) is for the instructor's side and
  the brokers themselves; it is never handed to a student.
- The controller listener is ``SASL_PLAINTEXT`` with only the admin user in its list: no
  anonymous way in, and no student key logs in there. Brokers talk to each other on the client
  listener, as the admin user.
- Kafka's built-in PLAIN check reads a fixed user list from the listener's JAAS configuration
  when the broker starts (a broker cannot be told about a new PLAIN user while it runs). So the
  plan mints a pool of keys up front; :meth:`KeyPool.issue` hands out the next one. A key that
  was never issued logs in but, with no ACL naming it, may do nothing.

Nothing here is a global: :meth:`ManagedSecurity.create` makes one plan per cluster and the
backends pass it along as an argument.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import KafkaLabError

PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
CLIENT_LISTENER = "SASL_SSL"
POOL_SIZE = 32
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class ApiKey:
    """An API key and its secret (the ``sasl.username`` and ``sasl.password`` of a client).
    ``name`` is what it was issued for; the secret is not shown in ``repr``."""

    key: str
    secret: str = field(repr=False)
    name: str = ""


def new_api_key(name: str = "") -> ApiKey:
    """A random key (16 upper-case letters and digits) and secret (64 URL-safe characters)."""
    key = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    return ApiKey(key, secrets.token_urlsafe(48), name)


class KeyPool:
    """The PLAIN users the brokers know, handed out one by one."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = list(keys)
        self.issued: dict[str, ApiKey] = {}

    def issue(self, name: str) -> ApiKey:
        if not name:
            raise KafkaLabError(reason="An API key needs a name (what it is for).",
                                fix="pass a name, e.g. create_api_key('billing-service').")
        free = [k for k in self.keys if k.key not in {i.key for i in self.issued.values()}]
        if not free:
            raise KafkaLabError(reason=f"All {len(self.keys)} API keys of this cluster are "
                                "issued.", fix="start a new cluster (security='managed') for "
                                "more keys; the brokers know a fixed list of PLAIN users.")
        key = ApiKey(free[0].key, free[0].secret, name)
        self.issued[key.key] = key
        return key


def _pem_value(pem: bytes) -> str:
    """A PEM block as one Java-properties value (a line break written as ``\\n``)."""
    return pem.decode().strip().replace("\n", "\\n")


def _jaas(admin: ApiKey, users: list[ApiKey]) -> str:
    listed = " ".join(f'user_{u.key}="{u.secret}"' for u in [admin, *users])
    return (f'{PLAIN_MODULE} required username="{admin.key}" password="{admin.secret}" '
            f"{listed};")


@dataclass(frozen=True)
class Certificates:
    """A CA and one broker certificate it signed (PEM bytes)."""

    ca_cert: bytes
    broker_key: bytes
    broker_cert: bytes


def make_certificates(hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
                      days: int = 30) -> Certificates:
    """A CA certificate and key, and a broker certificate for ``hosts`` signed by that CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=days)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kafka Lab local CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sans: list[x509.GeneralName] = []
    for h in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            sans.append(x509.DNSName(h))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return Certificates(
        ca.public_bytes(pem),
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        cert.public_bytes(pem))


@dataclass(frozen=True)
class ManagedSecurity:
    """The whole security plan of one managed-style cluster (see the module docstring)."""

    certificates: Certificates
    admin: ApiKey
    pool: tuple[ApiKey, ...]

    @classmethod
    def create(cls, pool_size: int = POOL_SIZE) -> ManagedSecurity:
        return cls(make_certificates(), new_api_key("cluster admin (super user)"),
                   tuple(new_api_key() for _ in range(pool_size)))

    def key_pool(self) -> KeyPool:
        return KeyPool(list(self.pool))

    # ---- the brokers' side ------------------------------------------------------------------
    def listeners(self, client: str, controller: str | None) -> dict[str, str]:
        """Listener properties for a node whose clients reach it at ``client`` (host:port) and,
        when it is a controller, whose controller listener is ``controller``."""
        listeners = f"{CLIENT_LISTENER}://{client}"
        pmap = f"{CLIENT_LISTENER}:SASL_SSL"
        if controller is not None:
            listeners += f",CONTROLLER://{controller}"
            pmap += ",CONTROLLER:SASL_PLAINTEXT"
        return {"listeners": listeners, "listener.security.protocol.map": pmap,
                "advertised.listeners": f"{CLIENT_LISTENER}://{client}",
                "inter.broker.listener.name": CLIENT_LISTENER}

    def broker_properties(self) -> dict[str, str]:
        """SASL, TLS (an inline PEM key store and trust store) and the authorizer."""
        c = self.certificates
        return {
            "sasl.enabled.mechanisms": "PLAIN",
            "sasl.mechanism.inter.broker.protocol": "PLAIN",
            "sasl.mechanism.controller.protocol": "PLAIN",
            f"listener.name.{CLIENT_LISTENER.lower()}.plain.sasl.jaas.config":
                _jaas(self.admin, list(self.pool)),
            "listener.name.controller.plain.sasl.jaas.config": _jaas(self.admin, []),
            "ssl.keystore.type": "PEM",
            "ssl.keystore.key": _pem_value(c.broker_key),
            "ssl.keystore.certificate.chain": _pem_value(c.broker_cert + c.ca_cert),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.certificates": _pem_value(c.ca_cert),
            "authorizer.class.name": AUTHORIZER,
            "allow.everyone.if.no.acl.found": "false",
            "super.users": f"User:{self.admin.key}",
        }

    # ---- the clients' side ------------------------------------------------------------------
    def write_ca(self, folder: Path) -> Path:
        """Write the CA certificate (what clients trust) as ``folder/ca.pem``."""
        path = Path(folder) / "ca.pem"
        path.write_bytes(self.certificates.ca_cert)
        return path

    def client_config(self, key: ApiKey, ca_location: str | Path | None) -> dict[str, str]:
        """librdkafka settings for ``key`` (Confluent Cloud's shape, plus the local CA)."""
        conf = {"security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN",
                "sasl.username": key.key, "sasl.password": key.secret}
        if ca_location is not None:
            conf["ssl.ca.location"] = str(ca_location)
        return conf


def write_client_properties(path: str | Path, bootstrap_servers: str, key: ApiKey,
                            ca_location: str | Path | None = None) -> Path:
    """A ``client.properties`` file in Confluent Cloud's shape (mode 0600: it holds a secret).
    ``ca_location`` is only needed for a CA the machine does not already trust."""
    lines = ["# Kafka client settings (librdkafka / confluent-kafka names)",
             f"bootstrap.servers={bootstrap_servers}", "security.protocol=SASL_SSL",
             "sasl.mechanisms=PLAIN", f"sasl.username={key.key}",
             f"sasl.password={key.secret}"]
    if ca_location is not None:
        lines.append(f"ssl.ca.location={Path(ca_location).as_posix()}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n")
    return path


def read_client_properties(path: str | Path) -> dict[str, str]:
    """The settings of a ``client.properties`` file (``key=value`` lines; ``#`` and ``!``
    comments and blank lines skipped), ready for ``Producer(...)``/``Consumer(...)``."""
    conf: dict[str, str] = {}
    for n, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        if "=" not in line:
            raise KafkaLabError(reason=f"{path} line {n} is not key=value: {line[:60]!r}.",
                                fix="write one setting per line as name=value.")
        name, value = line.split("=", 1)
        conf[name.strip()] = value.strip()
    return conf
