"""Which Kafka image to run, where its jars and CDS archives are, and KRaft storage."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path
from typing import Any

from ...exceptions import BrokerStartError, KafkaLabError
from ...jars import KAFKA_VERSION, KAFKA_ZK_VERSION, cache_dir
from ..cache import formatted_template, new_uuid
from ..plan import Mode
from ..properties import JVM_FLAGS
from .engine import LABEL, LABEL_OWNER, SESSION, owner

LOCAL_TAG = "kafka-lab/kafka:local"
DEFAULT_IMAGES = {Mode.KRAFT: f"apache/kafka:{KAFKA_VERSION}",
                  Mode.ZOOKEEPER: f"apache/kafka:{KAFKA_ZK_VERSION}"}  # bundles ZooKeeper 3.8.4
ENV_IMAGE, ENV_IMAGE_ZK = "KAFKA_LAB_DOCKER_IMAGE", "KAFKA_LAB_DOCKER_IMAGE_ZOOKEEPER"
VERSIONS = (KAFKA_VERSION, KAFKA_ZK_VERSION)
LIBS_LABEL = "org.kafka-lab.libs"  # where the jars are: a template with {version}
KEY_LABEL = "org.kafka-lab.build-key"
CDS_LABEL = "org.kafka-lab.cds"  # a class-data-sharing archive per version: {version}
CDS_PATH = "/opt/cds/kafka-{version}.jsa"


def resolve_image(mode: Mode | str, image: str | None = None, client: Any | None = None) -> str:
    """The image to run: ``image``, else the env vars, else the official one (or the local build
    when the official image is absent and cannot be pulled)."""
    import docker

    mode = Mode.parse(mode)
    client = client or docker.from_env(timeout=60)
    chosen = image or (os.environ.get(ENV_IMAGE_ZK) if mode is Mode.ZOOKEEPER else None) \
        or os.environ.get(ENV_IMAGE)
    candidates = [chosen] if chosen else [DEFAULT_IMAGES[mode], LOCAL_TAG]
    errors = []
    for cand in candidates:
        try:
            client.images.get(cand)
            return cand
        except docker.errors.ImageNotFound:
            pass
        if cand == LOCAL_TAG:
            continue
        try:
            client.images.pull(cand)
            return cand
        except docker.errors.APIError as exc:
            errors.append(f"{cand}: {exc.explanation or exc}"[:200])
    raise KafkaLabError(
        f"No Kafka image is available ({'; '.join(errors)}). Fix: build one from the course's "
        f"own jars with no registry, `python -m kafkalab.image build`, then pass "
        f"image='{LOCAL_TAG}' (or set {ENV_IMAGE}); or pull {candidates[0]} where a registry is "
        "reachable.")


def image_layout(client: Any, image: str, version: str) -> tuple[str, str | None]:
    """Where the image keeps Kafka ``version``'s jars, and its CDS archive if it has one."""
    labels = client.images.get(image).labels or {}
    cds = labels.get(CDS_LABEL)
    return (labels.get(LIBS_LABEL, "/opt/kafka/libs").format(version=version),
            cds.format(version=version) if cds else None)


def kraft_template(version: str, image: str, libs: str, client: Any) -> dict[str, bytes]:
    """The formatted metadata checkpoint: the local backend's cached one (made with the host's
    Java), or, without a host Java, made once by StorageTool inside the image and cached."""
    try:
        folder = formatted_template(version)
    except KafkaLabError:
        folder = cache_dir() / "format" / f"kafka-{version}"
        if not (folder.is_dir() and any(folder.iterdir())):
            _format_in_container(folder, version, image, libs, client)
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


def _format_in_container(target: Path, version: str, image: str, libs: str, client: Any) -> None:
    conf = ("process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:"
            "9093\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\ncontroller.listener.names="
            "CONTROLLER\nlog.dirs=/tmp/fmt\n")
    script = ["-Xmx128m", *JVM_FLAGS, "-cp", f"{libs}/*", "kafka.tools.StorageTool",
              "format", "-t", new_uuid(), "-c", "/tmp/fmt.properties"]
    c = client.containers.create(image, script, entrypoint=["java"], user="0",
                                 labels={LABEL: SESSION, LABEL_OWNER: owner()})
    try:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo("tmp/fmt.properties")
            info.size, info.mode = len(conf), 0o644
            tar.addfile(info, io.BytesIO(conf.encode()))
        c.put_archive("/", buf.getvalue())
        c.start()
        if c.wait(timeout=120).get("StatusCode") != 0:
            raise BrokerStartError("kafka-storage format (in docker)", "it failed",
                                   c.logs(tail=20).decode(errors="replace"))
        stream, _ = c.get_archive("/tmp/fmt/__cluster_metadata-0")
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            for m in tar.getmembers():
                f = tar.extractfile(m) if m.isfile() else None
                if f is not None and m.name.endswith(".checkpoint"):
                    (target / Path(m.name).name).write_bytes(f.read())
    finally:
        c.remove(force=True)
