"""Operating-system packages for the tiers that need a program from them (the docker tier's
docker.io, busybox-static and JDK; the browser tier's chromium and chromium-driver): installed
with apt-get where we are root on Debian/Ubuntu, never downloaded otherwise. Imported by the
tiers' conftest files (``pythonpath`` in pyproject.toml puts ``tests/`` on ``sys.path``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def root_on_debian() -> bool:
    """Whether this process may install Debian packages (root on Debian or Ubuntu)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/etc/debian_version").exists()


def installed(package: str) -> bool:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True,
                         text=True)
    return "install ok installed" in out.stdout


def apt_install(*packages: str) -> None:
    """Install ``packages`` with apt-get (raises CalledProcessError or TimeoutExpired)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True,
                   timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   capture_output=True, timeout=900)
