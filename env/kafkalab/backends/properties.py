"""Server properties for Kafka (KRaft and ZooKeeper mode) and ZooKeeper, tuned for small machines,
and the JVM flags and log configurations every node shares."""

from __future__ import annotations

JVM_FLAGS = [
    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
    "-Xss512k", "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
]

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
    # retention checked every second from 1 s after start (not every 5 min from 30 s): lesson
    # 00 shows old segments deleted
    "log.retention.check.interval.ms": "1000",
    "log.initial.task.delay.ms": "1000",
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


def replication_defaults(brokers: int) -> dict[str, str]:
    rf, isr = str(min(3, brokers)), str(min(2, brokers))
    return {
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": isr,
        "default.replication.factor": "1",
    }


def kraft_broker(node_id: int, voters: str, data: str, brokers: int,
                 listeners: dict[str, str]) -> dict[str, str]:
    """A combined broker+controller node; ``listeners`` (listeners, advertised listeners, the
    protocol map, the inter-broker listener) and any overrides come last and win."""
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "controller.quorum.voters": voters,
        "controller.listener.names": "CONTROLLER",
        "log.dirs": data,
        "broker.session.timeout.ms": "2000",
        "broker.heartbeat.interval.ms": "500",
        # a quorum with no leader (every start) waits 1-2x this before a voter stands: 500 ms
        # instead of 1 s elects the first leader sooner (3 nodes ready in 3.15 s, not 3.5 s);
        # a leader's failure is still noticed after controller.quorum.fetch.timeout.ms
        "controller.quorum.election.timeout.ms": "500",
        "share.coordinator.state.topic.replication.factor": str(min(3, brokers)),
        "share.coordinator.state.topic.min.isr": str(min(2, brokers)),
        # share groups (KIP-932): let a group's acquisition lock go down to 1 s (the broker's
        # floor is 15 s by default), so a lesson sees a lock expire in seconds
        "group.share.min.record.lock.duration.ms": "1000",
        # ... and a group's heartbeat down to 0.5 s: a member learns its assignment on its next
        # heartbeat, so the 5 s floor makes every share consumer wait about 5 s to join
        "group.share.min.heartbeat.interval.ms": "500",
        **COMMON,
        **replication_defaults(brokers),
    }
    return {**props, **listeners}


def zk_broker(broker_id: int, zk_connect: str, data: str, brokers: int,
              listeners: dict[str, str]) -> dict[str, str]:
    """A broker in ZooKeeper mode; ``listeners`` and any overrides come last and win."""
    props = {
        "broker.id": str(broker_id),
        "zookeeper.connect": zk_connect,
        "zookeeper.session.timeout.ms": "6000",
        "log.dirs": data,
        "controlled.shutdown.enable": "true",
        **COMMON,
        **replication_defaults(brokers),
    }
    return {**props, **listeners}


def zookeeper(client_port: int, data: str, host: str = "127.0.0.1") -> dict[str, str]:
    """zoo.cfg for one node (an ensemble's ``server.N`` lines and ``myid`` come from the plan)."""
    return {
        "tickTime": "500",
        "initLimit": "20",
        "syncLimit": "10",
        "dataDir": data,
        "clientPort": str(client_port),
        "clientPortAddress": host,
        "admin.enableServer": "false",
        "4lw.commands.whitelist": "*",
        "maxClientCnxns": "0",
    }
