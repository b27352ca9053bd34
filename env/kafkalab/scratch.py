"""Scratch folders that do not outlive their process.

A cluster's work folder, a lesson helper's logs and a notebook's worker files live in folders
under the temporary directory. Their process removes them when it closes what uses them; a
process that is killed first (a notebook kernel stopped by nbclient or by the grader, a
Ctrl-C'd run) cannot. So each folder made here names its owner (pid, start time, PID
namespace) in a small file, and making a folder first removes the folders whose owner is gone
and that no running process still uses (a live process whose command line or working directory
points into the folder keeps it). Folders without an owner file (a detached `kafka-lab up`
cluster's, any older one) are never touched, nor are those of another PID namespace (a
sandboxed kernel's owner is judged only from inside its own sandbox).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import psutil

__all__ = ["OWNER_FILE", "PREFIX", "abandoned", "make", "sweep"]

PREFIX = "kafka-lab-"
OWNER_FILE = ".kafka-lab-owner"


def _namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:  # not Linux, or no /proc: one namespace as far as we can tell
        return ""


def _started(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def make(kind: str, root: Path | None = None) -> Path:
    """A new folder ``<tmp>/kafka-lab-<kind>-XXXX`` owned by this process; abandoned ones of
    earlier processes are removed first."""
    base = Path(root or tempfile.gettempdir())
    sweep(base)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-", dir=base))
    owner = {"pid": os.getpid(), "started": _started(os.getpid()), "namespace": _namespace()}
    (folder / OWNER_FILE).write_text(json.dumps(owner) + "\n")
    return folder


def _owner_gone(folder: Path, namespace: str) -> bool:
    try:
        owner = json.loads((folder / OWNER_FILE).read_text())
        pid, started = int(owner["pid"]), owner.get("started")
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no owner file (or not ours to judge): kept
    if owner.get("namespace", "") != namespace:
        return False
    now = _started(pid)
    return now is None or (started is not None and abs(now - float(started)) > 1.0)


def _in_use(folders: list[Path]) -> set[Path]:
    """The folders a running process points into (command line or working directory)."""
    used: set[Path] = set()
    texts = [str(f) for f in folders]
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        try:
            words = " ".join(proc.info.get("cmdline") or []) + " " + (proc.info.get("cwd") or "")
        except psutil.Error:
            continue
        used |= {f for f, t in zip(folders, texts, strict=True) if t in words}
    return used


def abandoned(root: Path | None = None) -> list[Path]:
    """Folders made by :func:`make` under ``root`` whose owner is gone and that no running
    process uses."""
    base = Path(root or tempfile.gettempdir())
    namespace = _namespace()
    try:
        gone = [f for f in base.glob(f"{PREFIX}*") if f.is_dir() and _owner_gone(f, namespace)]
    except OSError:
        return []
    return [f for f in gone if f not in _in_use(gone)] if gone else []


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the :func:`abandoned` folders under ``root``; returns them."""
    found = abandoned(root)
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
    return found
