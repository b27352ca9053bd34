"""The grader's docker sandbox, end to end: a few hostile submissions of 00_welcome and correct
control copies graded together by the real command with ``--sandbox docker --jobs 4``, one
container per submission from the locally built image. The bwrap sandbox gets the whole hostile
class in tests/grading; here the attacks whose outcome depends on the sandbox's walls."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil

from kafkalab.course.paths import find_root

sys.path.insert(0, str(Path(__file__).parents[1] / "grading"))
import hostile  # noqa: E402

ROOT = find_root(Path(__file__))
ATTACKS = ("overwrite_gradebook", "kill_jvms", "read_secrets", "write_outside",
           "tcp_neighbour", "detached_sleep", "alloc_3gib")
CONTROLS = ("aa_control", "zz_control")
OTHERS = ("fake_consume",)  # caught by the grader's own reading of the cluster (nsenter)


def _left() -> list[tuple[int, str]]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if hostile.SLEEP in (p.info["cmdline"] or []) or "HOSTILE" in p.environ():
                found.append((p.pid, " ".join(p.info["cmdline"] or [])[:80]))
        except (psutil.Error, OSError):
            pass
    return found


def test_hostile_submissions_in_docker_sandbox(docker_image: str, tmp_path: Path) -> None:
    from kafkalab.grading import dockerbox

    keep = set(ATTACKS) | set(CONTROLS) | set(OTHERS)
    subs = hostile.write(tmp_path, skip=tuple(set(hostile.EXPECTED) - keep))
    out = tmp_path / "out"
    env = {**os.environ, "KAFKA_LAB_GRADING_IMAGE": docker_image,
           "HOSTILE": json.dumps({"out": str(out), "subs": str(subs), "root": str(ROOT),
                                  "tag": tmp_path.name})}
    before = {pid for pid, _ in _left()}
    # 60 s per cell: no submission here should meet it, but alloc_3gib must reach its 2 GiB
    # limit before it does. In one loaded local CI run its 3 GiB cell met a 20 s limit first
    # (the container's counters showed no limit reached yet), and the reason named no limit.
    proc = subprocess.run([sys.executable, "-m", "kafkalab", "grade", str(subs), "--out",
                           str(out), "--quiet", "--timeout", "60", "--jobs", "4",
                           "--sandbox", "docker"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sandbox: docker" in proc.stderr
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert set(rows) == keep | {"no_notebook"}
    for student in sorted(keep):
        row = rows[student]
        assert row["sandbox"] == "docker", row
        assert (row["status"], float(row["score"])) == \
            ("graded", hostile.EXPECTED[student][0]), row
    assert rows["no_notebook"]["status"] == "missing"
    assert "memory limit" in rows["alloc_3gib"]["reason"]
    assert "checked by the grader on the cluster" in rows["fake_consume"]["reason"]
    for attack in (a for a in ATTACKS if a in hostile.SNIPPETS):  # those that print ATTACK
        nb = nbformat.read(out / "autograded" / attack / hostile.ASSIGNMENT /
                           f"{hostile.ASSIGNMENT}.ipynb", 4)
        said = [ln for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                for ln in o.get("text", "").splitlines() if ln.startswith("ATTACK")]
        assert said and all("SUCCEEDED" not in ln for ln in said), (attack, said)
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [p for p in (subs, ROOT / "solutions", ROOT, out)
            if (p / f"pwned-{tmp_path.name}").exists()] == []
    assert [p for p in _left() if p[0] not in before] == []
    names = subprocess.run([dockerbox.docker_path() or "docker", "ps", "-a", "--filter",
                            f"label={dockerbox.LABEL_GRADING}", "--format", "{{.Names}}"],
                           capture_output=True, text=True).stdout.split()
    assert names == [], f"containers left: {names}"
