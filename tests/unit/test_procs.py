"""procs.Child: a child dies when its parent is SIGKILLed, whichever thread started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from kafkalab import procs

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL of a parent: POSIX")

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]

PARENT = """
import sys, threading, time
from pathlib import Path
from kafkalab.procs import Child

log, how = Path(sys.argv[1]), sys.argv[2]
cmd = [sys.executable, "-c", "import time; time.sleep(120)"]
box = []
if how == "thread":  # started from a thread that ends at once (PDEATHSIG would fire then)
    t = threading.Thread(target=lambda: box.append(Child(cmd, log)))
    t.start()
    t.join()
else:
    box.append(Child(cmd, log, detached=how == "detached"))
print(box[0].pid, flush=True)
time.sleep(120)
"""


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def parent_with_child(tmp_path: Path, how: str) -> tuple[subprocess.Popen, int]:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "child.log"), how],
                              stdout=subprocess.PIPE, text=True, env=procs.child_env())
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    return parent, child


@pytest.mark.parametrize("how", ["main", "thread"])
def test_child_dies_when_its_parent_is_sigkilled(tmp_path: Path, how: str) -> None:
    parent, child = parent_with_child(tmp_path, how)
    try:
        time.sleep(0.5)
        assert not gone(child), "the child should run while its parent does"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while not gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(child), "the child outlived its SIGKILLed parent"
    finally:
        procs.kill(parent.pid)
        procs.kill(child)


def test_detached_child_outlives_its_parent(tmp_path: Path) -> None:
    parent, child = parent_with_child(tmp_path, "detached")
    try:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        time.sleep(1.0)
        assert not gone(child)
    finally:
        procs.kill(child)


def test_child_stop_kill_wait_and_log(tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    talker = procs.Child([sys.executable, "-c", "import sys; print('out'); "
                          "print('err', file=sys.stderr)"], log)
    assert talker.wait(30) == 0 and not talker.running
    assert "out" in talker.log_tail() and "err" in talker.log_tail()
    quiet = procs.Child([sys.executable, "-c", "print('out')"], tmp_path / "q.log", stdout=False)
    quiet.wait(30)
    assert "out" not in quiet.log_tail()
    sleeper = procs.Child(SLEEPER, tmp_path / "s.log")
    assert sleeper.running
    assert sleeper.stop(10) == -signal.SIGTERM
    killed = procs.Child(SLEEPER, tmp_path / "k.log")
    procs.suspend(killed.pid)  # a paused process is killed too
    assert killed.kill(10) == -signal.SIGKILL


def test_spawn_returns_the_childs_popen(tmp_path: Path) -> None:
    proc = procs.spawn([sys.executable, "-c", "print('hi')"], tmp_path / "log", tmp_path)
    assert proc.wait(30) == 0
    procs.forget(proc.pid)
    assert (tmp_path / "log").read_text().strip() == "hi"


def test_child_with_pipes_speaks_a_line_protocol(tmp_path: Path) -> None:
    """pipes=True: text stdin/stdout for a protocol (the grading worker), stderr to the log;
    closing stdin is the EOF a detached watchdog waits for."""
    echo = ("import sys\nfor line in sys.stdin:\n    print(line.strip().upper(), flush=True)\n"
            "print('bye', file=sys.stderr)")
    child = procs.Child([sys.executable, "-c", echo], tmp_path / "log", pipes=True)
    child.stdin.write("ready\n")
    child.stdin.flush()
    assert child.stdout.readline() == "READY\n"
    child.stdin.close()
    assert child.wait(30) == 0
    assert "bye" in (tmp_path / "log").read_text()
    plain = procs.Child([sys.executable, "-c", "pass"], tmp_path / "log2")
    with pytest.raises(AssertionError, match="pipes=True"):
        plain.stdin  # noqa: B018 - the property raises
    plain.wait(30)


def test_finish_asks_through_the_stop_file_and_kills_a_child_that_ignores_it(
        tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    watcher = procs.Child([sys.executable, "-c", (
        "import pathlib, sys, time\n"
        "while not pathlib.Path(sys.argv[1]).exists(): time.sleep(0.02)\n"
        "sys.exit(3)"), str(stop)], tmp_path / "watcher.log")
    assert watcher.finish(stop, timeout=20) == 3  # it saw the file and ended by itself
    deaf = procs.Child([sys.executable, "-c", "import time; time.sleep(60)"],
                       tmp_path / "deaf.log")
    t0 = time.monotonic()
    assert deaf.finish(tmp_path / "stop-deaf", timeout=0.5) == -9
    assert time.monotonic() - t0 < 10 and not deaf.running
