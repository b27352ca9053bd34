"""The external backend: an existing cluster (a managed service, a classroom cluster)."""

from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import FaultInjectionUnavailableError, KafkaLabError
from ..jars import KAFKA_VERSION
from .plan import Mode
from .security import read_client_properties

# Environment variable -> librdkafka setting, for managed services (SASL_SSL + API key/secret).
SECURITY_ENV = {
    "KAFKA_SECURITY_PROTOCOL": "security.protocol",
    "KAFKA_SASL_MECHANISMS": "sasl.mechanisms",
    "KAFKA_SASL_USERNAME": "sasl.username",
    "KAFKA_SASL_PASSWORD": "sasl.password",
    "KAFKA_SSL_CA_LOCATION": "ssl.ca.location",
}


def external_from_env() -> ExternalBackend | None:
    """The cluster named by the environment: ``KAFKA_CLIENT_PROPERTIES`` (a ``client.properties``
    file, as Confluent Cloud hands out: its ``bootstrap.servers`` and security settings), or
    ``KAFKA_BOOTSTRAP_SERVERS`` with the ``KAFKA_*`` security variables; None when neither."""
    props = os.environ.get("KAFKA_CLIENT_PROPERTIES", "").strip()
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if props:
        if not os.path.isfile(props):
            raise KafkaLabError(reason=f"KAFKA_CLIENT_PROPERTIES={props} is not a file.",
                                fix="point it at the client.properties file of your cluster "
                                "(or unset it).")
        conf = read_client_properties(props)
        servers = servers or conf.pop("bootstrap.servers", "")
        conf.pop("bootstrap.servers", None)
        if not servers:
            raise KafkaLabError(reason=f"{props} has no bootstrap.servers line.",
                                fix="add bootstrap.servers=host:port, or set "
                                "KAFKA_BOOTSTRAP_SERVERS.")
        return ExternalBackend(servers, security=conf)
    return ExternalBackend(servers) if servers else None


class ExternalBackend:
    """A cluster the course did not start: clients only, no fault injection."""

    name = "external"
    detached = True
    version = KAFKA_VERSION  # the Java tools run against it (Kafka's tools talk to older brokers)

    def __init__(self, bootstrap_servers: str, security: dict[str, str] | None = None) -> None:
        if not bootstrap_servers:
            raise KafkaLabError(reason="An external cluster needs bootstrap servers "
                                "(host:port,...).",
                                fix="set KAFKA_BOOTSTRAP_SERVERS or pass bootstrap_servers=.")
        self.bootstrap_servers = bootstrap_servers
        self.zookeeper_connect: str | None = os.environ.get("KAFKA_ZOOKEEPER_CONNECT") or None
        # what the cluster is, whatever mode a lesson asked for: Kafka 4 has no ZooKeeper mode,
        # so only a cluster given with its ZooKeeper ensemble is taken for a ZooKeeper one
        self.mode = Mode.ZOOKEEPER if self.zookeeper_connect else Mode.KRAFT
        self.security = security if security is not None else {
            conf: os.environ[env] for env, conf in SECURITY_ENV.items() if os.environ.get(env)}
        if os.environ.get("KAFKA_SASL_MECHANISM") and "sasl.mechanisms" not in self.security:
            self.security["sasl.mechanisms"] = os.environ["KAFKA_SASL_MECHANISM"]

    def _refuse(self, action: str) -> None:
        raise FaultInjectionUnavailableError(action)

    def start(self, timeout: float = 60.0) -> None:
        pass

    def kill(self, kind: str, node_id: int) -> None:
        self._refuse(f"kill {kind} {node_id}")

    def stop(self, kind: str, node_id: int) -> None:
        self._refuse(f"stop {kind} {node_id}")

    def pause(self, kind: str, node_id: int) -> None:
        self._refuse(f"pause {kind} {node_id}")

    def resume(self, kind: str, node_id: int) -> None:
        self._refuse(f"resume {kind} {node_id}")

    def restart(self, kind: str, node_id: int, timeout: float = 60.0) -> None:
        self._refuse(f"start {kind} {node_id}")

    def start_many(self, kind: str, ids: list[int], timeout: float = 60.0) -> None:
        self._refuse(f"start {kind}s {ids}")

    def running(self, kind: str, node_id: int) -> bool:
        return True

    def status(self, kind: str, node_id: int) -> str:
        return "running"

    def pid(self, kind: str, node_id: int) -> int | None:
        return None

    def ports(self, kind: str, node_id: int) -> list[int]:
        return []

    def node_rss(self, kind: str, node_id: int) -> int:
        return 0

    def quorum_state(self) -> dict | None:
        return None

    def rss_bytes(self) -> int:
        return 0

    def log_tail(self, kind: str, node_id: int, lines: int = 30) -> str:
        return "(an external cluster's logs are not visible from here)"

    def log_dir(self, kind: str, node_id: int) -> Path | None:
        return None  # its disks are on other machines

    def close(self, keep_files: bool = False) -> None:
        pass

    def state(self) -> dict:
        return {"backend": "external", "bootstrap_servers": self.bootstrap_servers}
