"""`kafka-lab up`, `status`, `down` as processes (`python -m kafkalab`, as with no venv
activated): the cluster outlives `up`, notebooks find it, `down` leaves no JVM behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import psutil
import pytest


def _kafkalab(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kafkalab", *args], env=env,
                          capture_output=True, text=True, timeout=180)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _jvms_in(workdir: str) -> list[int]:
    """Live java processes whose command line names the cluster's folder."""
    found = []
    for p in psutil.process_iter(["cmdline", "status"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "java" in cmd and workdir in cmd and p.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(p.pid)
    return found


@pytest.mark.parametrize("mode,kinds", [("kraft", {"broker-1"}),
                                        ("zookeeper", {"zookeeper-1", "broker-1"})])
def test_up_status_down_leaves_no_jvm(tmp_path: Path, mode: str, kinds: set[str]) -> None:
    env = {**os.environ, "KAFKA_LAB_STATE": str(tmp_path / "up.json")}
    env.pop("KAFKA_LAB_FRESH", None)
    try:
        up = _kafkalab(env, "up", "--brokers", "1", "--mode", mode)
        assert up.returncode == 0, up.stderr[-2000:]
        state = json.loads((tmp_path / "up.json").read_text())
        pids = [n["pid"] for n in state["nodes"]]
        assert {f"{n['kind']}-{n['id']}" for n in state["nodes"]} == set(state["started"]) == kinds
        assert all(_alive(p) for p in pids), "the cluster must outlive `up`"
        status = _kafkalab(env, "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert status.stdout.count("running") == len(kinds)
        assert state["bootstrap_servers"] in status.stdout
        again = _kafkalab(env, "up", "--brokers", "1", "--mode", mode)
        assert again.returncode == 0 and "already running" in again.stdout
        if mode == "kraft":  # a notebook's start_cluster() attaches and does not stop it
            probe = textwrap.dedent(f"""
                from kafkalab import start_cluster
                c = start_cluster(1)
                assert c.bootstrap_servers == {state['bootstrap_servers']!r}, c.bootstrap_servers
                assert not c.owned
                print(c.create_topic("t-{uuid.uuid4().hex[:6]}"))
                c.stop()
            """)
            found = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                                   text=True, timeout=120)
            assert found.returncode == 0, found.stderr[-2000:]
            assert _kafkalab(env, "status").returncode == 0, "stop() must not stop a CLI cluster"
    finally:
        down = _kafkalab(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert f"{len(kinds)} process(es) killed" in down.stdout
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (any(_alive(p) for p in pids)
                                           or _jvms_in(state["workdir"])):
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids) and not _jvms_in(state["workdir"]), "a JVM is left"
    assert not Path(state["workdir"]).exists() and not (tmp_path / "up.json").exists()
    after = _kafkalab(env, "status")
    assert after.returncode == 1 and "No course cluster" in after.stdout
