#!/usr/bin/env python3
"""Kafka Lab's commands. Each one sets up what it needs first (a .venv, the Python packages,
the Kafka jars), so on a fresh machine with Python 3.11+ these are all you type:

    python lab.py run      # execute every course notebook against real Kafka; prints the results
    python lab.py test     # the whole test suite (extra arguments go to pytest: -m unit, -k ...)
    python lab.py lab      # open JupyterLab on the student notebooks (--solutions: instructors)
    python lab.py setup    # only the set-up

Everything else is the course's one command, `kafka-lab` (`python -m kafkalab`), which these
call; in the .venv: `.venv/bin/kafka-lab --help`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def _in_env() -> bool:
    return sys.prefix != sys.base_prefix or bool(os.environ.get("CONDA_PREFIX"))


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(cmd: list[str], cwd: Path = ROOT) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=cwd)


def setup() -> None:
    """Install the project (editable, with test and grading tools); fetch and verify the jars."""
    stamp = Path(sys.prefix) / ".kafka-lab-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != want:
        rc = _run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                   "-q", "-e", ".[test,grading]"])
        if rc:
            sys.exit(f"pip install failed (exit {rc}): see the messages above.")
        stamp.write_text(want)
    rc = _run([sys.executable, "-m", "kafkalab", "fetch"])
    if rc:
        sys.exit(rc)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "lab", "setup"):
        print(__doc__)
        return 2
    if not _in_env() and not os.environ.get("KAFKA_LAB_NO_VENV"):
        if not _venv_python().exists():
            print(f"Creating a virtual environment in {VENV}", flush=True)
            venv.create(VENV, with_pip=True)
        os.environ["VIRTUAL_ENV"] = str(VENV)
        return subprocess.call([str(_venv_python()), __file__, *argv], cwd=ROOT)
    # As an activated venv would: the programs installed beside this interpreter (jupyter,
    # nbgrader's alembic) come first on PATH for everything started from here.
    scripts = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    setup()
    command, rest = argv[0], argv[1:]
    if command == "setup":
        return 0
    if command == "run":
        return _run([sys.executable, "-m", "kafkalab", "course", "run", *rest])
    if command == "lab":
        # Instructors: the server runs from grader/, where nbgrader's formgrader and Validate
        # button find nbgrader_config.py, and serves the whole course folder (the formgrader
        # works only when the course root is inside the server's root), opening solutions/.
        instructor = "--solutions" in rest
        given = any(a.startswith(("--notebook-dir", "--ServerApp.root_dir")) for a in rest)
        folder = ROOT if instructor else ROOT / "notebooks"
        where = [] if given else [f"--notebook-dir={folder}"]
        if instructor and not given:
            where.append("--ServerApp.default_url=/lab/tree/solutions")
        if instructor:  # the formgrader's release/collect exchange (grader/nbgrader_config.py)
            (ROOT / "build" / "exchange").mkdir(parents=True, exist_ok=True)
        return _run([sys.executable, "-m", "jupyter", "lab", *where,
                     *[a for a in rest if a != "--solutions"]],
                    cwd=ROOT / "grader" if instructor else ROOT)
    rc = _run([sys.executable, "-m", "pytest", *rest])
    if rc == 5:
        print("pytest collected no test: that counts as a failure here.")
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
