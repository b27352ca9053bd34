"""`kafka-lab course bench`: the grading figure's CPU seconds count the grading command's
descendants (its workers, kernels and JVMs), not the bench's own process; the machine's busy
seconds count everything, sandboxed processes included."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from kafkalab.course import bench

pytestmark = pytest.mark.unit


def test_cpu_seconds_count_a_grandchild_that_burns_cpu() -> None:
    # a child that starts a grandchild burning about 0.3 s of CPU, both waited for
    burn = "import time; t = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    before = bench._children_cpu()
    subprocess.run([sys.executable, "-c", child], check=True, timeout=60)
    spent = bench._children_cpu() - before
    assert 0.3 <= spent < 5, spent


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="no /proc/stat here")
def test_machine_busy_seconds_count_cpu_burnt_in_this_process() -> None:
    before = bench._machine_busy()
    t = time.process_time()
    while time.process_time() - t < 0.5:
        pass
    spent = bench._machine_busy() - before
    # /proc/stat counts in ticks (1/100 s) and other processes add to it, never subtract
    assert spent >= 0.45, spent


def test_a_sandboxed_run_reports_no_descendant_cpu(monkeypatch, tmp_path) -> None:
    # a sandbox's processes die with their namespace, unreaped by us: no figure beats a wrong one
    def run(cmd, **kw):
        (tmp_path / "out").mkdir(exist_ok=True)
        return subprocess.CompletedProcess(cmd, 0, "", "sandbox: bwrap (asked for)")

    monkeypatch.setattr(bench.subprocess, "run", run)
    paths = type("P", (), {"root": tmp_path})()
    got = bench._grade_run(paths, tmp_path, tmp_path / "out", 4, "bwrap")
    assert got["cpu_seconds_per_submission"] is None
    assert got["sandbox_used"] == "bwrap (asked for)"
