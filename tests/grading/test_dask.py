"""`kafka-lab grade --dask-scheduler`: a LocalCluster of 2 workers grades a class of 4
submissions of 00_welcome with the grades a one-machine run gives them (the samples' known
scores, which tests/grading/test_grading.py checks on one machine: not graded a second time
here, to keep the tier inside CI's budget), per-exercise columns that add up to them, the
grading process's gradebook holding every score, and the feedback pages back from the workers
(checks listed, no hidden test code)."""

from __future__ import annotations

import copy
import csv
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from kafkalab.course.paths import find_root

sys.path.insert(0, str(Path(__file__).parent))
import samples  # noqa: E402

ROOT = find_root(Path(__file__))
A = samples.ASSIGNMENT
CLASS = ("perfect", "partly_right", "blank", "deletes_topics")


def _class(folder: Path) -> dict[str, float]:
    """4 submissions: the 4 kinds above, one each (the two workers share them)."""
    built = samples.build(ROOT)
    expected = {}
    for kind in CLASS:
        nb, score = built[kind]
        for copy_no in (1,):
            name = f"{kind}{copy_no}"
            nbformat.write(copy.deepcopy(nb), folder / f"{name}_{A}.ipynb")
            expected[name] = float(score)
    return expected


def _grade(subs: Path, out: Path, *extra: str) -> tuple[dict[str, dict], float]:
    cmd = [sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out), "--quiet",
           "--timeout", "20", "--assignment", A, *extra]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1500)
    seconds = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "grades.csv", newline="") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}, seconds


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from distributed import LocalCluster

    base = tmp_path_factory.mktemp("dask")
    subs = base / "subs"
    subs.mkdir()
    expected = _class(subs)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        dask, dask_s = _grade(subs, base / "dask", "--dask-scheduler", cluster.scheduler_address)
    n = len(expected)
    print(f"\n{n} submissions of {A}: Dask LocalCluster of 2 workers {dask_s:.0f} s "
          f"({60 * n / dask_s:.1f}/min, cluster start included)")
    return {"dask": dask, "expected": expected, "out": base / "dask"}


def test_same_grades_as_one_machine(runs: dict) -> None:
    dask = runs["dask"]
    assert {s: float(r["score"]) for s, r in dask.items()} == runs["expected"]
    assert all(r["status"] == "graded" and float(r["max_score"]) == 5 for r in dask.values())
    for student, r in dask.items():  # the per-exercise columns add up to the score
        parts = float(r["00_welcome:ex1"]) + float(r["00_welcome:ex2"])
        assert parts == float(r["score"]), (student, r)


def test_the_grading_process_keeps_the_one_gradebook(runs: dict) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{runs['out'] / 'gradebook.db'}") as gb:
        for student, score in runs["expected"].items():
            assert gb.find_submission(A, student).score == score


def test_feedback_came_back_with_every_check(runs: dict) -> None:
    page = (runs["out"] / "feedback" / "partly_right1" / A / f"{A}.html").read_text()
    assert "kafka-lab-checks" in page and "ex2_other_offset" in page
    # a line of the hidden test (test_grading.test_hidden_tests_ran finds it in autograded/)
    assert "read_to_end(cluster.client_config(), ex1_topic)" not in page
