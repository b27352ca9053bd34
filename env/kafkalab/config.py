"""Server configuration files for Kafka (KRaft and ZooKeeper mode) and ZooKeeper, tuned small."""

from __future__ import annotations

from pathlib import Path

JVM_FLAGS = [
    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
    "-Xss512k", "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
]
EXTRA_JVM_FLAGS: list[str] = []  # set only while a CDS archive is being made

# Small-machine broker settings shared by both modes. The shorter timeouts make failures
# visible in seconds (a dead broker leaves the ISR after replica.lag.time.max.ms).
COMMON = {
    "num.network.threads": "2",
    "num.io.threads": "2",
    "background.threads": "2",
    "num.recovery.threads.per.data.dir": "1",
    "log.cleaner.threads": "1",
    "log.cleaner.dedupe.buffer.size": "16777216",
    "num.partitions": "1",
    "offsets.topic.num.partitions": "10",
    "transaction.state.log.num.partitions": "5",
    "group.initial.rebalance.delay.ms": "0",
    "replica.lag.time.max.ms": "10000",
    "log.segment.bytes": "16777216",
    "socket.request.max.bytes": "104857600",
}

LOG4J2 = """status = error
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.req.name = kafka.request.logger
logger.req.level = WARN
logger.change.name = state.change.logger
logger.change.level = WARN
"""

LOG4J1 = """log4j.rootLogger=INFO, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
"""


def write_properties(path: Path, props: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    return path


def replication_defaults(brokers: int) -> dict[str, str]:
    rf, isr = str(min(3, brokers)), str(min(2, brokers))
    return {
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": isr,
        "default.replication.factor": "1",
    }


def kraft_broker(node_id: int, port: int, controller_port: int, voters: str, data: Path,
                 brokers: int, host: str = "127.0.0.1", advertised: str | None = None,
                 extra: dict[str, str] | None = None) -> dict[str, str]:
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{advertised or f'127.0.0.1:{port}'}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data),
        "broker.session.timeout.ms": "2000",
        "broker.heartbeat.interval.ms": "500",
        "share.coordinator.state.topic.replication.factor": str(min(3, brokers)),
        "share.coordinator.state.topic.min.isr": str(min(2, brokers)),
        **COMMON,
        **replication_defaults(brokers),
    }
    return {**props, **(extra or {})}


def zk_broker(broker_id: int, port: int, zk_connect: str, data: Path, brokers: int,
              host: str = "127.0.0.1", advertised: str | None = None,
              extra: dict[str, str] | None = None) -> dict[str, str]:
    props = {
        "broker.id": str(broker_id),
        "zookeeper.connect": zk_connect,
        "zookeeper.session.timeout.ms": "6000",
        "listeners": f"PLAINTEXT://{host}:{port}",
        "advertised.listeners": f"PLAINTEXT://{advertised or f'127.0.0.1:{port}'}",
        "log.dirs": str(data),
        "controlled.shutdown.enable": "true",
        **COMMON,
        **replication_defaults(brokers),
    }
    return {**props, **(extra or {})}


def zookeeper(node_id: int, client_port: int, data: Path, peers: list[tuple[int, int, int]],
              host: str = "127.0.0.1") -> dict[str, str]:
    """zoo.cfg for one node; ``peers`` is [(id, quorum_port, election_port)] for an ensemble."""
    props = {
        "tickTime": "500",
        "initLimit": "20",
        "syncLimit": "10",
        "dataDir": str(data),
        "clientPort": str(client_port),
        "clientPortAddress": host,
        "admin.enableServer": "false",
        "4lw.commands.whitelist": "*",
        "maxClientCnxns": "0",
    }
    if len(peers) > 1:
        for pid, qport, eport in peers:
            props[f"server.{pid}"] = f"127.0.0.1:{qport}:{eport}"
        (data / "myid").write_text(str(node_id))
    return props


def write_properties_text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
