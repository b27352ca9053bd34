"""The instructor's grading command, end to end, on sample submissions built from the release.

One grading run (nbgrader layout, --jobs 4, --sandbox bwrap) covers: perfect, partly right,
blank, and hostile submissions (endless loop, kernel crash, edited/deleted/renamed tests, broker
flood, deleted topics, killed brokers, and the hostile class of hostile.py: gradebook overwrite,
killing every Kafka JVM, reading the solutions, writing outside, reaching a neighbour's broker,
fork bomb, detached process, input transformer, swallowed exceptions, rebound builtins, a
rebound `consume` that only the grader's own reading of the cluster catches, 3 GiB,
os._exit, segfault, a loop deaf to interrupts, a missing notebook), each with its exact
expected score, graded side by side with correct control copies. A second run (plain folder)
covers the whole-submission time limit and resuming."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from kafkalab.course import nbcheck
from kafkalab.course.answers import solved_copy
from kafkalab.course.paths import CoursePaths, find_root

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402
import samples  # noqa: E402

ROOT = find_root(Path(__file__))
SAMPLES = samples.build(ROOT)
CELL_TIMEOUT = 20
EXPECTED = {**{k: score for k, (_, score) in SAMPLES.items()},
            **{k: bwrap for k, (bwrap, _) in hostile.EXPECTED.items()}}


def _ours() -> list[psutil.Process]:
    """Processes of a hostile grading run (their environment holds HOSTILE)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if "HOSTILE" in p.environ() or hostile.SLEEP in (p.info["cmdline"] or []):
                found.append(p)
        except (psutil.Error, OSError):
            pass
    return found


def _cgroups() -> set[str]:
    return {str(p) for base in ("memory", "pids") for p in
            Path("/sys/fs/cgroup", base, "kafka-lab").glob("*") if p.is_dir()}


def grade(subs: Path, out: Path, *extra: str, timeout: float = 1500) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out), "--quiet",
           "--timeout", str(CELL_TIMEOUT), *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from kafkalab.grading.sandbox import bwrap_works

    assert bwrap_works() is None, f"the grading tier needs bwrap: {bwrap_works()}"
    base = tmp_path_factory.mktemp("grading")
    samples.write_nbgrader_layout(base, {k: nb for k, (nb, _) in SAMPLES.items()})
    subs = hostile.write(base)
    out = base / "out"
    targets = {"out": str(out), "subs": str(subs), "root": str(ROOT), "tag": base.name}
    before = {p.pid for p in _ours()}
    cgroups = _cgroups()
    scratch = {p for p in Path("/tmp").glob("klsb-*") if p.is_dir()}
    env = {**os.environ, "HOSTILE": json.dumps(targets)}
    cmd = [sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out), "--quiet",
           "--timeout", str(CELL_TIMEOUT), "--jobs", "4", "--sandbox", "bwrap",
           "--submission-timeout", "600"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1500, env=env)
    seconds = time.monotonic() - t0
    time.sleep(1)
    left = [(p.pid, p.info.get("cmdline")) for p in _ours() if p.pid not in before]
    written = [p for p in (subs, ROOT / "solutions", ROOT, Path("/root"))
               if (p / f"pwned-{base.name}").exists()]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"out": out, "left": left, "written": written, "seconds": seconds,
            "new_cgroups": _cgroups() - cgroups, "stderr": proc.stderr,
            "new_scratch": {p for p in Path("/tmp").glob("klsb-*") if p.is_dir()} - scratch}


@pytest.fixture(scope="module")
def graded(run: dict) -> Path:
    return run["out"]


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_exact_score(graded: Path, student: str) -> None:
    row = rows(graded)[student]
    expected = EXPECTED[student]
    assert row["status"] == "graded", row
    assert row["sandbox"] == "bwrap"
    assert float(row["max_score"]) == 5
    assert float(row["score"]) == expected, f"{student}: {row['score']} != {expected}: " \
                                            f"{row['reason']}"


def test_missing_notebook_has_its_row(graded: Path) -> None:
    row = rows(graded)["no_notebook"]
    assert (row["status"], float(row["score"]), row["reason"]) == \
        ("missing", 0, "no notebook submitted")


def test_gradebook_intact(graded: Path) -> None:
    import sqlite3

    with sqlite3.connect(graded / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_nothing_left_behind(run: dict) -> None:
    """No process of the run (kernels, JVMs, the detached sleep), no cgroup, no scratch, and
    nothing written outside a submission's own scratch folder."""
    assert run["left"] == [], run["left"]
    assert run["new_cgroups"] == set()
    assert run["written"] == []
    assert run["new_scratch"] == set()
    assert "sandbox: bwrap" in run["stderr"]


@pytest.mark.parametrize("attack", sorted(hostile.SNIPPETS))
def test_attack_reported_failed_in_its_own_output(graded: Path, attack: str) -> None:
    nb = nbformat.read(graded / "autograded" / attack / samples.ASSIGNMENT /
                       f"{samples.ASSIGNMENT}.ipynb", 4)
    said = [ln for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            for ln in o.get("text", "").splitlines() if ln.startswith("ATTACK")]
    assert said, f"{attack} printed no ATTACK line"
    assert all("SUCCEEDED" not in ln for ln in said), said


def test_no_token_in_any_notebook(graded: Path) -> None:
    """The grader's end-of-cell tokens never reach a notebook."""
    import re

    for path in (graded / "autograded").rglob("*.ipynb"):
        nb = nbformat.read(path, 4)
        for cell in nb.cells:
            assert not re.search(r"print\('[0-9a-f]{32}'", cell.source), path
            for out in cell.get("outputs", []):
                assert not re.search(r"^[0-9a-f]{32}$", out.get("text", ""), re.M), path


def test_reasons_and_feedback(graded: Path) -> None:
    table = rows(graded)
    assert "KernelDied" in table["crashes_kernel"]["reason"]
    assert "per-cell time limit" in table["loops_forever"]["reason"]
    tamper = table["edits_tests"]["reason"]
    for what in ("ex1_messages was edited", "had its points changed",
                 "ex2_other_offset was deleted"):
        assert what in tamper
    assert table["perfect"]["reason"] == ""
    for student in SAMPLES:
        page = graded / "feedback" / student / samples.ASSIGNMENT / f"{samples.ASSIGNMENT}.html"
        assert page.is_file(), f"no feedback for {student}"
    page = graded / "feedback" / "edits_tests" / samples.ASSIGNMENT / f"{samples.ASSIGNMENT}.html"
    assert "Grader notes" in page.read_text()


def test_gradebook_agrees(graded: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gb:
        for student, expected in EXPECTED.items():
            assert gb.find_submission(samples.ASSIGNMENT, student).score == expected


def test_hidden_tests_ran(graded: Path) -> None:
    """The autograded copy holds the hidden tests the release does not show."""
    nb = nbformat.read(graded / "autograded" / "perfect" / samples.ASSIGNMENT /
                       f"{samples.ASSIGNMENT}.ipynb", 4)
    assert any("read_to_end(cluster.client_config(), ex1_topic)" in c.source for c in nb.cells)


def test_submission_time_limit(tmp_path: Path) -> None:
    """A submission that outlives --submission-timeout is stopped with its kernel and cluster,
    scores zero, and its feedback says why (its first answer sleeps 20 s, within the 30 s
    per-cell limit; a correct copy of 00_welcome grades in about 4 s)."""
    subs = tmp_path / "collected"
    subs.mkdir()
    slow = solved_copy(CoursePaths(ROOT), "00_welcome")
    answer = next(c for c in slow.cells if nbcheck.nbgrader_meta(c).get("solution"))
    answer.source += "\n\nimport time\ntime.sleep(20)\n"
    nbformat.write(slow, subs / "slow_00_welcome.ipynb")
    out = tmp_path / "out"
    proc = grade(subs, out, "--submission-timeout", "5")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = rows(out)["slow"]
    assert row["status"] == "timeout" and float(row["score"]) == 0
    page = out / "feedback" / "slow" / samples.ASSIGNMENT / f"{samples.ASSIGNMENT}.html"
    assert "longer than 5 s" in page.read_text()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _grading_tree(out: Path) -> list[psutil.Process]:
    """The grading worker serving ``out`` and everything under it (kernel, Kafka JVMs)."""
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "kafkalab.grading.worker" in cmd and str(out.resolve()) in cmd:
            return [proc, *proc.children(recursive=True)]
    return []


def test_sigterm_stops_grading_with_its_kernels_and_clusters(tmp_path: Path) -> None:
    """`kill` (SIGTERM) mid-submission: the grader exits 130 and leaves no worker, kernel or
    Kafka JVM behind."""
    subs = tmp_path / "collected"
    subs.mkdir()
    nbformat.write(solved_copy(CoursePaths(ROOT), "00_welcome"), subs / "term_00_welcome.ipynb")
    out = tmp_path / "out"
    grader = subprocess.Popen([sys.executable, "-m", "kafkalab", "grade", str(subs), "--out",
                               str(out), "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    deadline, tree = time.monotonic() + 600, []
    while time.monotonic() < deadline and grader.poll() is None:
        try:
            tree = _grading_tree(out)
            if any(p.name() == "java" for p in tree):
                break  # the submission's kernel has started its cluster
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.5)
    assert tree and grader.poll() is None, "no Kafka JVM under the grading worker"
    grader.terminate()
    said = grader.communicate(timeout=120)[0]
    assert grader.returncode == 130 and "run the same command again" in said, said
    gone, alive = psutil.wait_procs(tree, timeout=30)
    assert not alive, f"left running: {[(p.pid, p.name()) for p in alive]}"


def test_deaf_loop_plain_folder_and_resume(tmp_path: Path) -> None:
    """A loop that ignores interrupts costs only its own points; an interrupted run resumes
    without regrading what finished."""
    subs = tmp_path / "collected"
    subs.mkdir()
    nbformat.write(samples.deaf_loop(ROOT), subs / "deaf.ipynb")
    nbformat.write(solved_copy(CoursePaths(ROOT), "00_welcome"), subs / "zoe_00_welcome.ipynb")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out), "--quiet",
           "--assignment", samples.ASSIGNMENT, "--jobs", "1", "--timeout", str(CELL_TIMEOUT),
           "--submission-timeout", "600"]
    # as a terminal's Ctrl-C finds it: a shell's background job (`cmd &`) ignores SIGINT
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             preexec_fn=_default_sigint)
    results = out / "results" / samples.ASSIGNMENT
    deadline = time.monotonic() + 900
    while not list(results.glob("[!.]*.json")) and time.monotonic() < deadline:
        time.sleep(1)
        assert first.poll() is None, first.stdout.read().decode() if first.stdout else ""
    done = {p.name: p.stat().st_mtime_ns for p in results.glob("[!.]*.json")}
    assert done, "nothing finished within 15 minutes"
    first.send_signal(signal.SIGINT)  # interrupt while the next submission is being graded
    first.wait(timeout=120)
    said = first.stdout.read().decode() if first.stdout else ""
    if len(done) < 2:  # something was still being graded
        assert first.returncode == 130 and "run the same command again" in said, said
    # the interrupt can land after more submissions finished: compare with what is on disk now
    finished = {p.name: p.stat().st_mtime_ns for p in results.glob("[!.]*.json")}
    assert set(done) <= set(finished)
    assert len(rows(out)) == len(finished), "grades.csv must hold exactly what finished"
    done = finished
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name, mtime in done.items():
        assert (results / name).stat().st_mtime_ns == mtime, f"{name} was graded again"
    table = rows(out)
    assert set(table) == {"deaf", "zoe"}
    assert table["deaf"]["status"] == "graded" and float(table["deaf"]["score"]) == 3, table
    assert "stopped answering" in table["deaf"]["reason"]
    assert table["zoe"]["status"] == "graded" and float(table["zoe"]["score"]) == 5
    page = out / "feedback" / "deaf" / samples.ASSIGNMENT / f"{samples.ASSIGNMENT}.html"
    assert "stopped answering" in page.read_text()
    again = json.loads((results / "zoe.json").read_text())
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and json.loads((results / "zoe.json").read_text()) == again
    assert time.monotonic() - t0 < 120, "a finished run should only skip"
    assert not [p for p in os.listdir(results) if p.endswith(".tmp")]
