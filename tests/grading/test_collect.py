"""Finding submissions in both layouts (no Kafka)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafkalab.exceptions import KafkaLabError
from kafkalab.grading.collect import collect, student_id
from kafkalab.grading.sanitize import sanitize

KNOWN = ["00_welcome", "01_request_response"]


def _nb(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}')
    return path


def test_student_ids() -> None:
    assert student_id("alice_00_welcome", "00_welcome") == "alice"
    assert student_id("00_welcome-bob", "00_welcome") == "bob"
    assert student_id("carol smith", "00_welcome") == "carol_smith"
    assert student_id("00_welcome", "00_welcome") == "00_welcome"


def test_nbgrader_layout(tmp_path: Path) -> None:
    _nb(tmp_path / "submitted" / "ann" / "00_welcome" / "00_welcome.ipynb")
    _nb(tmp_path / "submitted" / "ben" / "00_welcome" / "mine.ipynb")
    (tmp_path / "submitted" / "ben" / "00_welcome" / "timestamp.txt").write_text("x")
    subs = collect(tmp_path, KNOWN)
    assert [(s.student, s.assignment) for s in subs] == [("ann", "00_welcome"),
                                                         ("ben", "00_welcome")]
    assert len(subs[1].files) == 2


def test_plain_folder(tmp_path: Path) -> None:
    _nb(tmp_path / "ann_00_welcome.ipynb")
    _nb(tmp_path / "ben.ipynb")
    with pytest.raises(KafkaLabError, match="--assignment"):
        collect(tmp_path, KNOWN)
    subs = collect(tmp_path, KNOWN, "00_welcome")
    assert sorted(s.student for s in subs) == ["ann", "ben"]


def test_unknown_assignment(tmp_path: Path) -> None:
    _nb(tmp_path / "x.ipynb")
    with pytest.raises(KafkaLabError, match="No source notebook"):
        collect(tmp_path, KNOWN, "99_nope")


def test_sanitize_restores_structure() -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    def cell(src: str, gid: str, grade: bool = False) -> nbformat.NotebookNode:
        c = new_code_cell(src)
        c.metadata["nbgrader"] = {"grade_id": gid, "locked": True, "grade": grade,
                                  "solution": False, "points": 1 if grade else 0}
        return c

    release = new_notebook(cells=[cell("setup", "a"), cell("test1", "t1", True),
                                  cell("test2", "t2", True)])
    sub = new_notebook(cells=[cell("setup", "a"), cell("pass", "renamed", True)])
    sub.cells[0].metadata["nbgrader"]["locked"] = False
    fixed = sanitize(sub, release)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in fixed.cells]
    assert ids == ["a", "t1", "t2", None]
    assert fixed.cells[0].metadata["nbgrader"]["locked"] is True


def test_every_student_folder_gets_a_row(tmp_path: Path) -> None:
    _nb(tmp_path / "submitted" / "ann" / "00_welcome" / "00_welcome.ipynb")
    (tmp_path / "submitted" / "bob" / "00_welcome").mkdir(parents=True)  # nothing in it
    (tmp_path / "submitted" / "cid").mkdir()  # not even the assignment folder
    _nb(tmp_path / "submitted" / "dee" / "00_welcome" / "a.ipynb")
    _nb(tmp_path / "submitted" / "dee" / "00_welcome" / "b.ipynb")
    bad = tmp_path / "submitted" / "eve" / "00_welcome" / "00_welcome.ipynb"
    bad.parent.mkdir(parents=True)
    bad.write_text("{ not json")
    subs = {s.student: s for s in collect(tmp_path, KNOWN, "00_welcome")}
    assert subs["ann"].problem == ""
    assert (subs["bob"].outcome, subs["bob"].problem) == ("missing", "no notebook submitted")
    assert subs["cid"].outcome == "missing"
    assert subs["dee"].outcome == "ambiguous" and "a.ipynb, b.ipynb" in subs["dee"].problem
    assert subs["eve"].outcome == "unreadable"


def test_grade_result_round_trip(tmp_path: Path) -> None:
    from kafkalab.grading.result import GradeResult, Outcome

    res = GradeResult("ann", "00_welcome", 3.0, 5.0, Outcome.TIMEOUT, "slow", 1.5, "bwrap")
    res.write(tmp_path / "r.json")
    assert GradeResult.read(tmp_path / "r.json") == res


def test_bwrap_command_hides_the_grading_folders(tmp_path: Path) -> None:
    from kafkalab.grading.sandbox import SandboxKind, SandboxSpec

    out, subs, scratch = tmp_path / "out", tmp_path / "subs", tmp_path / "scratch"
    for d in (out, subs, scratch, out / "source"):
        d.mkdir(parents=True)
    spec = SandboxSpec(SandboxKind.BWRAP, scratch, [out, subs, out / "source"])
    argv = spec.wrap(["python", "-m", "ipykernel_launcher"])
    joined = " ".join(argv)
    for hidden in (out, subs):
        assert f"--tmpfs {hidden} --remount-ro {hidden}" in joined
    assert f"--tmpfs {out / 'source'}" not in joined  # hidden with out
    assert f"--bind {scratch} {scratch}" in joined
    for flag in ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                 "--unshare-uts", "--die-with-parent"):
        assert flag in argv
    # no cgroup namespace: JDK 17 cannot read its cgroup v1 limits in one (see NAMESPACES)
    assert "--unshare-all" not in argv and "--unshare-cgroup" not in argv
    assert "--share-net" not in argv
    assert argv[-3:] == ["python", "-m", "ipykernel_launcher"]
    none = SandboxSpec(SandboxKind.NONE, scratch)
    assert none.wrap(["x"]) == ["x"]


def test_docker_sandbox_is_chosen_or_says_why_not() -> None:
    from kafkalab.grading.sandbox import choose, docker_works

    why = docker_works()
    if why is None:  # an engine answers and the image is there (the docker tier ran first)
        assert choose("docker")[0].value == "docker"
    else:
        with pytest.raises(KafkaLabError, match="--sandbox docker: .*Fix: start a Docker"):
            choose("docker")
    assert choose("none")[0].value == "none"


def test_a_jvm_reads_its_limits_in_the_bwrap_sandbox() -> None:
    """JDK 17 in a cgroup namespace made after joining a cgroup v1 hierarchy cannot find its
    memory controller: every JVM that asks for its OperatingSystemMXBean (Kafka's clients and
    tools, ZooKeeper's server) gets an InternalError. The sandbox must not make one."""
    import subprocess

    from kafkalab.grading.sandbox import SandboxKind, SandboxSpec, bwrap_works
    from kafkalab.java import find_java

    if (why := bwrap_works()) is not None:
        pytest.skip(why)
    spec = SandboxSpec.make(SandboxKind.BWRAP, "jvm-limits", hidden=[])
    try:
        run = subprocess.run(spec.wrap([str(find_java()), "-XshowSettings:system", "-version"]),
                             capture_output=True, text=True, timeout=60)
    finally:
        spec.close()
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "Exception" not in out, out[-1500:]
    if spec.cgroup is not None:  # the JVM sees the submission's own limits
        assert "Maximum Processes Limit: 1024" in out or "Provider: cgroupv2" in out, out[-1500:]
