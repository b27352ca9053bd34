"""`kafka-lab course bench`: the grading figure's CPU seconds count the grading command's
descendants (its workers, kernels and JVMs), not the bench's own process."""

from __future__ import annotations

import subprocess
import sys

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
