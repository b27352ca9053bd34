"""What importing the package and reading a notebook cost: the grader and the course tools
start several Python processes per run, each paying its imports."""

from __future__ import annotations

import subprocess
import sys


def test_reading_a_notebook_does_not_compile_the_iri_grammar() -> None:
    """nbformat's jsonschema would import rfc3987-syntax, which builds an Earley parser at import
    (seconds per process, several processes per grading run); kafkalab keeps it out."""
    code = ("import kafkalab, nbformat, sys; nbformat.validate(nbformat.v4.new_notebook()); "
            "print(sorted(m for m in ('lark', 'rfc3987_syntax') if sys.modules.get(m)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip() == "[]", out


def test_lesson_00s_module_leaves_pandas_until_a_table_is_drawn() -> None:
    """Every graded submission's kernel imports the lesson's module; pandas costs about 0.4 s
    of CPU there and is needed only for the segment table."""
    code = ("import sys; from kafkalab.lessons import welcome; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip() == "False", out
