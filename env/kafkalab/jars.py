"""The pinned Kafka jar sets: download once into a cache, verify every SHA-256."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ChecksumError, DownloadError

KAFKA_VERSION = "4.4.0"
KAFKA_ZK_VERSION = "3.9.1"  # the last Kafka line with ZooKeeper mode
LOCK_DIR = Path(__file__).parent / "locks"
# Maven roots of each jar set: Kafka itself, its tools, and the SLF4J 1.x binding that matches
# the slf4j-api the poms bring (a mismatched binding silently drops every log line).
SETS: dict[str, list[str]] = {
    f"kafka-{KAFKA_VERSION}": [
        f"org.apache.kafka:kafka_2.13:{KAFKA_VERSION}",
        f"org.apache.kafka:kafka-tools:{KAFKA_VERSION}",
        "org.apache.logging.log4j:log4j-slf4j-impl:2.25.5",
    ],
    f"kafka-{KAFKA_ZK_VERSION}": [
        f"org.apache.kafka:kafka_2.13:{KAFKA_ZK_VERSION}",
        "org.slf4j:slf4j-reload4j:1.7.36",
    ],
}


def cache_dir() -> Path:
    """Where jars and formatted templates live (KAFKA_LAB_CACHE overrides)."""
    if env := os.environ.get("KAFKA_LAB_CACHE"):
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "kafka-lab"


def repository_url() -> str:
    """The Maven repository to download from: KAFKA_LAB_MAVEN_REPO, else Maven Central."""
    if env := os.environ.get("KAFKA_LAB_MAVEN_REPO"):
        return env.rstrip("/")
    from jgo.constants import MAVEN_CENTRAL_URL  # a maintained resolver's default repository

    return MAVEN_CENTRAL_URL.rstrip("/")


def load_lock(name: str) -> dict:
    return json.loads((LOCK_DIR / f"{name}.json").read_text())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class JarSetState:
    """What the cache holds of one pinned jar set, checked against its lock."""

    name: str
    folder: Path
    total: int
    missing: list[str]
    corrupt: list[str]  # present, but size or SHA-256 differ from the lock


def verify_jars(name: str) -> JarSetState:
    """Check every jar of set ``name`` in the cache against the lock (no download)."""
    jars = load_lock(name)["jars"]
    libs = cache_dir() / "jars" / name
    missing, corrupt = [], []
    for jar in jars:
        path = libs / Path(jar["path"]).name
        if not path.is_file():
            missing.append(path.name)
        elif path.stat().st_size != jar["size"] or _sha256(path) != jar["sha256"]:
            corrupt.append(path.name)
    return JarSetState(name, libs, len(jars), missing, corrupt)


def _download(url: str, dest: Path, expected: str, progress: object) -> None:
    tmp = dest.with_suffix(".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as out:
            while block := resp.read(1 << 16):
                out.write(block)
                progress.update(len(block))  # type: ignore[attr-defined]
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        tmp.unlink(missing_ok=True)
        raise DownloadError(url.rsplit("/", 1)[-1], str(getattr(exc, "reason", exc))) from exc
    got = _sha256(tmp)
    if got != expected:
        tmp.unlink(missing_ok=True)
        raise ChecksumError(str(dest), expected, got)
    os.replace(tmp, dest)


def ensure_jars(name: str, quiet: bool = False) -> Path:
    """Return the folder holding every jar of set ``name``, downloading what is missing."""
    lock = load_lock(name)
    libs = cache_dir() / "jars" / name
    done = libs / ".verified"
    if done.exists() and done.read_text() == _lock_digest(lock):
        return libs
    libs.mkdir(parents=True, exist_ok=True)
    missing = []
    for jar in lock["jars"]:
        dest = libs / Path(jar["path"]).name
        if dest.exists() and dest.stat().st_size == jar["size"] and _sha256(dest) == jar["sha256"]:
            continue
        missing.append((jar, dest))
    if missing:
        from .progress import bar as progress_bar

        base = repository_url()
        total = sum(j["size"] for j, _ in missing)
        with progress_bar(total=total, unit="B", unit_scale=True, desc=f"Downloading {name}",
                  disable=quiet) as bar, ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(_download, f"{base}/{j['path']}", d, j["sha256"], bar)
                       for j, d in missing]
            for fut in futures:
                fut.result()
    wanted = {Path(j["path"]).name for j in lock["jars"]}
    for extra in libs.glob("*.jar"):
        if extra.name not in wanted:
            extra.unlink()
    done.write_text(_lock_digest(lock))
    return libs


def _lock_digest(lock: dict) -> str:
    return hashlib.sha256(json.dumps(lock["jars"], sort_keys=True).encode()).hexdigest()

