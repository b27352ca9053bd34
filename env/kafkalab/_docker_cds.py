"""The image build's second pass: class-data-sharing archives that brokers write in it."""

from __future__ import annotations

import sys

from .exceptions import KafkaLabError
from .jars import KAFKA_VERSION, KAFKA_ZK_VERSION


def _cds_archives(tag: str, quiet: bool = False) -> dict[str, bytes]:
    """Per Kafka version, start one broker in the image with -XX:ArchiveClassesAtExit,
    exercise it, stop it cleanly, and return the archive it wrote (as the local backend's
    warm-up does: about a third off every later JVM start)."""
    from ._docker_node import read_file
    from .clients import consume, produce
    from .cluster import Cluster
    from .docker import DockerBackend

    out: dict[str, bytes] = {}
    for v, mode in ((KAFKA_VERSION, "kraft"), (KAFKA_ZK_VERSION, "zookeeper")):
        dump = f"/tmp/kafka-{v}.jsa"
        backend = DockerBackend(1, mode, 1, 256, None, image=tag)
        for n in backend.nodes:
            if n.kind == "broker":
                n.cmd = [f"-XX:ArchiveClassesAtExit={dump}", "-Xlog:cds=off",
                         "-Xlog:cds+dynamic=off", *n.cmd]
        try:
            backend.start(180)
            cluster = Cluster(backend, 1, mode, zookeepers=1 if mode == "zookeeper" else 0)
            cluster.wait_until_ready(120)
            topic = cluster.create_topic(partitions=2)
            produce(cluster.producer_config(), topic, [f"m{i}" for i in range(100)])
            consume(cluster.client_config(), [topic], max_messages=100, timeout=30)
            backend.stop("broker", 1, timeout=60)
            data = read_file(backend.node("broker", 1).container._container, dump)
            if data:
                out[v] = data
        except KafkaLabError as exc:
            if not quiet:
                print(f"No CDS archive for Kafka {v} ({exc}); the image works without.",
                      file=sys.stderr)
        finally:
            backend.close()
    return out
