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
