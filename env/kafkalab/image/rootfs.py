"""The image's root file system: a jlink'd Java, the shared objects ldd lists for it and
for the compression jars' native code, a static busybox, and the Kafka jars, as one tar."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from ..exceptions import KafkaLabError
from ..jars import cache_dir

MODULES = [
    "java.base", "java.compiler", "java.datatransfer", "java.desktop", "java.instrument",
    "java.logging", "java.management", "java.management.rmi", "java.naming", "java.net.http",
    "java.prefs", "java.rmi", "java.scripting", "java.security.jgss", "java.security.sasl",
    "java.sql", "java.transaction.xa", "java.xml", "jdk.crypto.cryptoki", "jdk.crypto.ec",
    "jdk.jfr", "jdk.management", "jdk.naming.dns", "jdk.net", "jdk.security.auth",
    "jdk.security.jgss", "jdk.unsupported", "jdk.zipfs",
]
NATIVE_JARS = re.compile(r"^(snappy-java|zstd-jni|lz4-java)-.*\.jar$")



def jlink(home: Path, key: str) -> Path:
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


def native_libs(runtime: Path, libs: list[Path], scratch: Path) -> list[Path]:
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


def static_busybox() -> Path | None:
    for cand in (shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"):
        if cand and Path(cand).exists():
            out = subprocess.run(["ldd", cand], capture_output=True, text=True)
            if "not a dynamic executable" in out.stdout + out.stderr or "statically" in out.stdout:
                return Path(cand)
    return None


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar: tarfile.TarFile, name: str, mode: int = 0o755) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, int(time.time())
    tar.addfile(info)


def write_root(tar: tarfile.TarFile, runtime: Path, libs: dict[str, Path],
                natives: list[Path], busybox: Path | None) -> None:
    for d, mode in (("tmp", 0o1777), ("kafka-lab", 0o777), ("etc", 0o755), ("bin", 0o755),
                    ("opt", 0o755), ("lib64", 0o755), ("root", 0o700)):
        add_dir(tar, d, mode)
    add_bytes(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    add_bytes(tar, "etc/group", b"root:x:0:\n")
    add_bytes(tar, "etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files dns\n")
    tar.add(str(runtime), arcname="opt/java")
    for version, folder in libs.items():
        add_dir(tar, f"opt/kafka-{version}")
        add_dir(tar, f"opt/kafka-{version}/libs")
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
                add_dir(tar, d)
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
