"""A new gradebook is stamped with nbgrader's schema version read in-process, the same version
the ``alembic heads`` program gives nbgrader (which it would run from PATH)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def test_in_process_head_is_what_alembic_heads_prints(tmp_path: Path) -> None:
    import nbgrader.api
    from nbgrader.dbutil import _temp_alembic_ini

    from kafkalab.grading.course import stamp_gradebooks_in_process

    alembic = Path(sys.executable).parent / "alembic"
    with _temp_alembic_ini(f"sqlite:///{tmp_path / 'x.db'}") as ini:
        printed = subprocess.run([str(alembic), "-c", ini, "heads"], capture_output=True,
                                 text=True, check=True).stdout.split()[0]
    original = nbgrader.api.get_alembic_version
    try:
        stamp_gradebooks_in_process()
        assert nbgrader.api.get_alembic_version() == printed
        with nbgrader.api.Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}"):
            pass
        with sqlite3.connect(tmp_path / "gradebook.db") as db:
            assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(printed,)]
    finally:
        nbgrader.api.get_alembic_version = original


def test_a_student_created_by_another_worker_meanwhile_is_not_an_error(tmp_path: Path,
                                                                       monkeypatch) -> None:
    """Two workers grade one student's two assignments at once: both find no student row,
    one inserts it, the other's insert fails on the UNIQUE constraint. ``ensure_student`` takes
    that as the row being there (nbgrader's autograde then finds it) instead of losing the
    grade (seen in a grading run of 00's and 08's fixture classes)."""
    import nbgrader.api
    from nbgrader.api import Gradebook, MissingEntry

    from kafkalab.grading.course import stamp_gradebooks_in_process
    from kafkalab.grading.worker import ensure_student

    original = nbgrader.api.get_alembic_version
    try:
        stamp_gradebooks_in_process()
        url = f"sqlite:///{tmp_path / 'gradebook.db'}"
        with Gradebook(url) as other_worker:
            other_worker.add_student("blank")  # the other worker won the race
        real_find, calls = Gradebook.find_student, []

        def find_missed_once(self, student_id: str):  # noqa: ANN001, ANN202
            calls.append(student_id)
            if len(calls) == 1:  # this worker looked before the other inserted
                raise MissingEntry()
            return real_find(self, student_id)

        monkeypatch.setattr(Gradebook, "find_student", find_missed_once)
        ensure_student(url, "blank")
        ensure_student(url, "newcomer")
        monkeypatch.setattr(Gradebook, "find_student", real_find)
        with Gradebook(url) as gb:
            assert sorted(s.id for s in gb.students) == ["blank", "newcomer"]
    finally:
        nbgrader.api.get_alembic_version = original
