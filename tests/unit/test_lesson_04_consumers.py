"""Pure parts of lesson 04 (no Kafka): counting moved partitions, drawing owners, and reading a
worker's processed-records file; a worker process is a procs.Child."""

from __future__ import annotations

import sys
from pathlib import Path

from kafkalab.lessons import consumers as cl
from kafkalab.procs import Child


def test_moves_counts_partitions_that_changed_owner() -> None:
    steps = [("c1 joins", {"c1": [0, 1, 2]}, 1.0),
             ("c2 joins", {"c1": [0, 1], "c2": [2]}, 1.0),
             ("c1 leaves", {"c2": [0, 1, 2]}, 1.0)]
    assert cl.moves(steps) == [3, 1, 2]


def test_plot_assignments_labels_owners_and_idle_members() -> None:
    import matplotlib

    matplotlib.use("Agg")
    steps = [("two", {"c1": [0], "c2": [1]}, 0.5), ("three", {"c1": [0], "c2": [1], "c3": []}, 1.5)]
    ax = cl.plot_assignments(steps, partitions=2)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("c1") == 2 and "1.5 s; idle: c3" in texts


def test_worker_reads_its_file_and_is_a_child(tmp_path: Path) -> None:
    out = tmp_path / "w.txt"
    out.write_text("0 5 job-1\n2 7 job with spaces\nhalf-written")
    child = Child([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "w.err")
    worker = cl.Worker(child, out, tmp_path / "w.stop")
    assert worker.pid == child.pid
    assert worker.processed() == [(0, 5, "job-1"), (2, 7, "job with spaces")]
    worker.kill()
    assert not child.running
    assert worker.error() == ""


def test_crash_story_says_whether_the_group_had_committed_past_the_record() -> None:
    base = dict(messages=100, per_worker={"w1": 10, "w2": 90}, killed="w1", missing=0,
                duplicates=0, committed_to_end=True, errors="")
    assert cl.PoolResult(**{**base, "killed": ""}).crash_story() == (
        "no worker reached the crash point")
    past = cl.PoolResult(**base, crash={"partition": 2, "offset": 7, "committed": 12}).crash_story()
    assert "already committed offset 12" in past and "from 7 to 11" in past
    not_past = cl.PoolResult(**base, crash={"partition": 2, "offset": 7, "committed": 7})
    assert "committed offset was 7, not past it" in not_past.crash_story()
    none = cl.PoolResult(**base, crash={"partition": 0, "offset": 0, "committed": -1001})
    assert "none yet" in none.crash_story()


def test_only_one_worker_claims_the_crash(tmp_path: Path) -> None:
    from kafkalab.lessons.consumers.workers import _claim

    token = tmp_path / "crash.json"
    assert _claim(token) and not _claim(token) and not _claim(token)
