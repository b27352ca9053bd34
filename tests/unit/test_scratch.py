"""Scratch folders that do not outlive their process (kafkalab.scratch), without Kafka: a folder
whose owner was SIGKILLed is removed by the next make(); a live owner's, a folder a running
process still uses, a folder without an owner file and another PID namespace's are kept."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from kafkalab import scratch

MAKE_AND_WAIT = ("import sys, time; from pathlib import Path; from kafkalab import scratch; "
                 "f = scratch.make('cluster', Path(sys.argv[1])); print(f, flush=True); "
                 "time.sleep(60)")


def _owned_by_child(root: Path) -> tuple[subprocess.Popen, Path]:
    child = subprocess.Popen([sys.executable, "-c", MAKE_AND_WAIT, str(root)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child, Path(child.stdout.readline().strip())


def test_a_killed_owners_folder_is_swept_by_the_next_make(tmp_path: Path) -> None:
    child, folder = _owned_by_child(tmp_path)
    try:
        (folder / "server.log").write_text("kept while its owner lives")
        mine = scratch.make("lesson04", tmp_path)
        assert folder.is_dir() and scratch.abandoned(tmp_path) == []
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert scratch.abandoned(tmp_path) == [folder]
    again = scratch.make("holder", tmp_path)
    assert not folder.exists()
    assert mine.is_dir() and again.is_dir() and again.name.startswith("kafka-lab-holder-")


def test_a_folder_in_use_without_owner_or_from_elsewhere_is_kept(tmp_path: Path) -> None:
    child, folder = _owned_by_child(tmp_path)
    child.send_signal(signal.SIGKILL)
    child.wait()
    # a process still running in it (a broker JVM of a killed kernel, say) keeps it
    user = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=folder)
    try:
        assert scratch.sweep(tmp_path) == [] and folder.is_dir()
    finally:
        user.kill()
        user.wait()
    legacy = tmp_path / "kafka-lab-abc123"  # a detached cluster's: no owner file
    legacy.mkdir()
    elsewhere = tmp_path / "kafka-lab-cluster-xyz"  # a sandboxed kernel's PID namespace
    elsewhere.mkdir()
    (elsewhere / scratch.OWNER_FILE).write_text(json.dumps(
        {"pid": 999_999_999, "started": 1.0, "namespace": "pid:[1]"}) + "\n")
    assert scratch.sweep(tmp_path) == [folder]
    assert legacy.is_dir() and elsewhere.is_dir() and not folder.exists()
