"""The image build's second pass: class-data-sharing archives that brokers write in it.

Per Kafka version, one broker (and its ZooKeeper, for the ZooKeeper-mode version) runs in the
image with ``-XX:ArchiveClassesAtExit``, is exercised, stopped cleanly, and the archive it wrote
is read back: about a third off every later JVM start, as the local backend's warm-up gives.
Containers are made with the docker SDK from the same node plan the backends use.
"""

from __future__ import annotations

import sys
import time
import uuid

from ..backends.docker.engine import (
    DATA,
    HOME,
    LABEL,
    LABEL_CLUSTER,
    LABEL_OWNER,
    PORTS,
    SESSION,
    engine_client,
    ensure_watchdog,
    owner,
)
from ..backends.docker.images import image_layout, kraft_template
from ..backends.docker.node import (
    DockerNode,
    create_container,
    kafka_answers,
    read_file,
    zookeeper_serving,
)
from ..backends.plan import ClusterSpec, ContainerLayout, Mode, plan
from ..clients import consume, produce
from ..exceptions import ClusterTimeoutError, KafkaLabError
from ..ports import free_port

HOST = "127.0.0.1"


def _wait_answering(node: DockerNode, timeout: float) -> None:
    probe = kafka_answers if node.kind == "broker" else zookeeper_serving
    deadline = time.monotonic() + timeout
    while not probe(HOST, node.port):
        if time.monotonic() > deadline:
            raise ClusterTimeoutError(f"{node.name} to answer on {HOST}:{node.port}", timeout,
                                      f"Its log:\n{node.log_tail()}")
        time.sleep(0.1)


def _one_archive(client: object, tag: str, mode: Mode) -> bytes | None:
    version = mode.version
    dump = f"/tmp/kafka-{version}.jsa"
    spec = ClusterSpec(1, mode, 1, jvm_flags=(f"-XX:ArchiveClassesAtExit={dump}",
                                              "-Xlog:cds=off", "-Xlog:cds+dynamic=off"))
    prefix = f"kafka-lab-{SESSION}-cds-{uuid.uuid4().hex[:4]}"
    layout = ContainerLayout(prefix, str(DATA), [free_port()],
                             [free_port()] if mode is Mode.ZOOKEEPER else [], host=HOST,
                             client=PORTS["client"], internal=PORTS["internal"],
                             controller=PORTS["controller"], zk=PORTS["zk"])
    libs, _ = image_layout(client, tag, version)
    bootstrap = kraft_template(version, tag, libs, client) if mode is Mode.KRAFT else None
    nodes = [DockerNode(n.kind, n.node_id, layout.name(n.kind, n.node_id), n.port, n.files,
                        n.java_args(str(HOME), libs)) for n in plan(spec, layout, bootstrap)]
    labels = {LABEL: SESSION, LABEL_OWNER: owner(), LABEL_CLUSTER: prefix}
    ensure_watchdog()
    network = client.networks.create(prefix, labels=labels)  # type: ignore[attr-defined]
    try:
        for node in nodes:  # ZooKeeper first: the plan lists it first
            inner = PORTS["client"] if node.kind == "broker" else PORTS["zk"]
            create_container(client, tag, node, network.name, labels, HOST, inner, str(HOME))
            _wait_answering(node, 180)
        broker = nodes[-1]
        config = {"bootstrap.servers": f"{HOST}:{broker.port}"}
        topic = f"cds-{uuid.uuid4().hex[:6]}"
        produce(config, topic, [f"m{i}" for i in range(100)])
        consume(config, [topic], max_messages=100, timeout=30)
        broker.container.stop(timeout=60)
        return read_file(broker.container, dump)
    finally:
        for node in reversed(nodes):
            if node.container is not None:
                try:
                    node.container.remove(force=True, v=True)
                except Exception:
                    pass
        try:
            network.remove()
        except Exception:
            pass


def cds_archives(tag: str, quiet: bool = False) -> dict[str, bytes]:
    """{Kafka version: CDS archive bytes} for each version the image carries."""
    client = engine_client()
    out: dict[str, bytes] = {}
    for mode in Mode:
        try:
            data = _one_archive(client, tag, mode)
            if data:
                out[mode.version] = data
        except KafkaLabError as exc:
            if not quiet:
                print(f"No CDS archive for Kafka {mode.version} ({exc}); the image works "
                      "without.", file=sys.stderr)
    return out
