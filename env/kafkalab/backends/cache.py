"""One-time work cached per Kafka version: the formatted KRaft bootstrap and where the
class archive lives (:mod:`kafkalab.warmup` makes it).

- `kafka-storage format` costs a JVM start (about 1.5 s) per node; its output differs between
  nodes only in meta.properties, which the local backend writes itself, so one format made by
  Kafka's own StorageTool serves every node of every cluster.
- A class-data-sharing archive of the classes a broker loads cuts each JVM's start by about a
  third (measured: 4.1 s -> 2.7 s for one broker on 2 cores). It is made once, by starting a
  broker with -XX:ArchiveClassesAtExit and stopping it cleanly; it is tied to one Java runtime.
- On Java 25+ the archive is an AOT cache instead (JEP 483 and 515: classes loaded AND linked,
  and method profiles, from a training run with -XX:AOTCacheOutput): measured on 2 cores,
  1 broker ready in 1.03 s against 1.34 s with Java 17's dynamic CDS archive.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ..exceptions import BrokerStartError
from ..jars import cache_dir, ensure_jars
from ..java import AOT_JAVA, find_java, runtime_version
from ..ports import free_port
from .properties import JVM_FLAGS


def new_uuid() -> str:
    """A Kafka Uuid in its base64 form (22 characters). Like Kafka's ``Uuid.randomUuid`` it
    never starts with "-": `kafka-storage format -t -abc...` would read it as an option (1 in
    64 formats failed so)."""
    import base64
    import uuid

    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


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


# Flags that name a class archive: a caller passing one replaces the cache's own.
ARCHIVE_FLAGS = ("-XX:ArchiveClassesAtExit", "-XX:SharedArchiveFile", "-XX:AOTCache",
                 "-XX:AOTCacheOutput", "-XX:AOTConfiguration", "-XX:AOTMode")


def uses_aot_cache() -> bool:
    """Whether this Java runtime's archive is an AOT cache (Java 25+) rather than a CDS one."""
    return runtime_version() >= AOT_JAVA


def cds_archive(version: str) -> Path:
    """Where the class archive for this Kafka version and this Java runtime lives: an AOT
    cache (``.aot``) on Java 25+, a dynamic CDS archive (``.jsa``) before."""
    java = find_java()
    key = hashlib.sha256(f"{java.resolve()}:{java.stat().st_mtime}".encode()).hexdigest()[:12]
    suffix = ".aot" if uses_aot_cache() else ".jsa"
    return cache_dir() / "cds" / f"kafka-{version}-{key}{suffix}"


def record_archive(archive: Path) -> None:
    """Note beside ``archive`` which Java runtime it was made for (path and mtime), so that
    :func:`prune_archives` can tell when that runtime is gone (a deleted or rebuilt
    virtualenv: each leaves about 130 MB of archives behind otherwise)."""
    java = find_java().resolve()
    archive.with_name(archive.name + ".java").write_text(
        f"{java}\n{java.stat().st_mtime}\n")


def prune_archives(older_than: float = 3600.0) -> list[Path]:
    """Delete the archives whose Java runtime is gone or was replaced (per the note that
    :func:`record_archive` left), and training leftovers (``*.tmp``) older than
    ``older_than`` seconds; return what was deleted. Archives with no note (made before
    notes existed, or by another copy of the course) are kept."""
    folder = cache_dir() / "cds"
    gone: list[Path] = []
    if not folder.is_dir():
        return gone
    for note in folder.glob("*.java"):
        try:
            path, mtime = note.read_text().splitlines()[:2]
            java = Path(path)
            stale = not java.exists() or str(java.stat().st_mtime) != mtime
        except (OSError, ValueError):
            continue  # unreadable: keep it
        if stale:
            archive = note.with_suffix("")
            for f in (archive, note):
                try:
                    f.unlink()
                    gone.append(f)
                except FileNotFoundError:
                    pass
    now = time.time()
    for tmp in folder.glob("*.tmp"):
        try:
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()
                gone.append(tmp)
        except FileNotFoundError:
            pass
    return gone


def training_flags(output: Path) -> tuple[str, ...]:
    """The JVM flags of the run that writes the archive ``output`` when the JVM exits."""
    if uses_aot_cache():
        return (f"-XX:AOTCacheOutput={output}", "-Xlog:aot=off", "-Xlog:cds=off")
    return (f"-XX:ArchiveClassesAtExit={output}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off")


def has_own_archive(flags: list[str] | tuple[str, ...]) -> bool:
    """Whether ``flags`` name a class archive of their own (then ours is left out)."""
    return any(f.startswith(ARCHIVE_FLAGS) for f in flags)


def cds_flags(version: str) -> list[str]:
    """The flags that start a JVM from this version's archive, if it has been made. A stale
    archive (other jars, another runtime) is refused by the JVM quietly: it starts without."""
    if os.environ.get("KAFKA_LAB_NO_CDS"):
        return []
    archive = cds_archive(version)
    if not archive.exists():
        return []
    if archive.suffix == ".aot":
        # Mapped where it was made (not relocated): its pages stay clean and are shared by
        # every broker (measured: 26 MiB less private memory per broker).
        return [f"-XX:AOTCache={archive}", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:ArchiveRelocationMode=0", "-Xlog:aot=off", "-Xlog:cds=off"]
    return [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
