"""One-time work cached per Kafka version: the formatted KRaft bootstrap and where the CDS
archive lives (:mod:`kafkalab.warmup` makes it).

- `kafka-storage format` costs a JVM start (about 1.5 s) per node; its output differs between
  nodes only in meta.properties, which the local backend writes itself, so one format made by
  Kafka's own StorageTool serves every node of every cluster.
- A class-data-sharing archive of the classes a broker loads cuts each JVM's start by about a
  third (measured: 4.1 s -> 2.7 s for one broker on 2 cores). It is made once, by starting a
  broker with -XX:ArchiveClassesAtExit and stopping it cleanly; it is tied to one Java runtime.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..exceptions import BrokerStartError
from ..jars import cache_dir, ensure_jars
from ..java import find_java
from ..ports import free_port
from .properties import JVM_FLAGS


def new_uuid() -> str:
    """A Kafka Uuid in its base64 form (22 characters)."""
    import base64
    import uuid

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def formatted_template(version: str) -> Path:
    """The folder holding Kafka's bootstrap metadata checkpoint for ``version``."""
    target = cache_dir() / "format" / f"kafka-{version}"
    if target.is_dir() and any(target.iterdir()):
        return target
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        port = free_port()
        conf = Path(tmp) / "server.properties"
        conf.write_text(
            "process.roles=broker,controller\nnode.id=1\n"
            f"controller.quorum.voters=1@127.0.0.1:{port}\n"
            f"listeners=PLAINTEXT://127.0.0.1:{free_port()},CONTROLLER://127.0.0.1:{port}\n"
            f"controller.listener.names=CONTROLLER\nlog.dirs={data}\n")
        libs = ensure_jars(f"kafka-{version}")
        out = subprocess.run([str(find_java()), "-Xmx128m", *JVM_FLAGS, "-cp",
                              str(libs / "*"), "kafka.tools.StorageTool", "format", "-t",
                              new_uuid(), "-c", str(conf)],
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise BrokerStartError("kafka-storage format", (out.stderr or out.stdout)[-500:])
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent))
        for f in (data / "__cluster_metadata-0").iterdir():
            shutil.copyfile(f, staging / f.name)
        try:
            os.replace(staging, target)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return target


def cds_archive(version: str) -> Path:
    """Where the CDS archive for this Kafka version and this Java runtime lives."""
    java = find_java()
    key = hashlib.sha256(f"{java.resolve()}:{java.stat().st_mtime}".encode()).hexdigest()[:12]
    return cache_dir() / "cds" / f"kafka-{version}-{key}.jsa"


def cds_flags(version: str) -> list[str]:
    if os.environ.get("KAFKA_LAB_NO_CDS"):
        return []
    archive = cds_archive(version)
    return [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"] \
        if archive.exists() else []
