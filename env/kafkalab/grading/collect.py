"""Find submissions: nbgrader's submitted/<student>/<assignment>/ layout or a plain folder.

Every student folder gives a submission, also one with no notebook, several notebooks (none
under the assignment's name) or an unreadable one: those carry a ``problem`` and are not
graded, but get their row (score 0 and the reason)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import KafkaLabError

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    files: tuple[Path, ...]  # the notebooks (and any other files) handed in
    problem: str = ""  # why it cannot be graded ("" when it can)
    outcome: str = ""  # result.Outcome value for that problem

    @property
    def notebook(self) -> Path | None:
        """The notebook to grade: the only one, or the one named after the assignment."""
        notebooks = [f for f in self.files if f.suffix == ".ipynb"]
        if len(notebooks) == 1:
            return notebooks[0]
        named = [f for f in notebooks if f.name == f"{self.assignment}.ipynb"]
        return named[0] if named else None

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.student}"

    def digest(self) -> str:
        """A hash of what was handed in, so a changed submission is graded again."""
        h = hashlib.sha256()
        for f in sorted(self.files):
            h.update(f.name.encode())
            h.update(f.read_bytes())
        return h.hexdigest()


def student_id(stem: str, assignment: str | None) -> str:
    """``alice``, ``alice_00_welcome`` and ``00_welcome-alice`` all become ``alice``."""
    name = stem
    if assignment and assignment in name:
        name = name.replace(assignment, "").strip("_- .") or stem
    name = _SAFE.sub("_", name).strip("_") or "student"
    return name


def _readable(path: Path) -> str:
    """"" when ``path`` is a notebook nbformat can read, else why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            return "not a notebook (no cells)"
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    return ""


def _checked(sub: Submission) -> Submission:
    notebooks = [f for f in sub.files if f.suffix == ".ipynb"]
    if not notebooks:
        return Submission(sub.student, sub.assignment, sub.files, "no notebook submitted",
                          "missing")
    nb = sub.notebook
    if nb is None:
        return Submission(sub.student, sub.assignment, sub.files,
                          f"{len(notebooks)} notebooks submitted and none named "
                          f"{sub.assignment}.ipynb: {', '.join(f.name for f in notebooks)}",
                          "ambiguous")
    if why := _readable(nb):
        return Submission(sub.student, sub.assignment, sub.files,
                          f"{nb.name} is not a readable notebook ({why})", "unreadable")
    return sub


def _guess_assignment(stem: str, known: list[str]) -> str | None:
    hits = [a for a in known if a in stem]
    return hits[0] if len(hits) == 1 else None


def collect(folder: Path, known: list[str], assignment: str | None = None) -> list[Submission]:
    """Every submission under ``folder``. ``known`` are the course's assignment names.

    - nbgrader layout: ``folder[/submitted]/<student>/<assignment>/*.ipynb``;
    - plain folder: ``folder/*.ipynb``, the student id from the file name, the assignment from
      ``assignment`` or from the file name when it names exactly one known assignment."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KafkaLabError(f"{folder} is not a folder. Fix: pass the folder holding the "
                            "submissions (nbgrader's submitted/ or a folder of .ipynb files).")
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    subs: list[Submission] = []
    student_dirs = sorted(p for p in folder.iterdir() if p.is_dir())
    layout = {a.name for d in student_dirs for a in d.iterdir() if a.is_dir()}
    wanted = assignment or (next(iter(layout)) if len(layout) == 1 else None)
    for student_dir in student_dirs:
        found = False
        for a_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            if assignment and a_dir.name != assignment:
                continue
            files = tuple(sorted(f for f in a_dir.rglob("*") if f.is_file()
                                 and ".ipynb_checkpoints" not in f.parts))
            subs.append(_checked(Submission(_SAFE.sub("_", student_dir.name), a_dir.name,
                                            files)))
            found = True
        if not found and wanted:  # a student folder with nothing for this assignment
            subs.append(_checked(Submission(_SAFE.sub("_", student_dir.name), wanted, ())))
    for nb in sorted(folder.glob("*.ipynb")):
        name = assignment or _guess_assignment(nb.stem, known)
        if name is None:
            raise KafkaLabError(f"Cannot tell which assignment {nb.name} is. Fix: pass "
                                f"--assignment (one of {known}).")
        subs.append(_checked(Submission(student_id(nb.stem, name), name, (nb,))))
    unknown = sorted({s.assignment for s in subs} - set(known))
    if unknown:
        raise KafkaLabError(f"No source notebook for assignment(s) {unknown} in solutions/. "
                            f"Fix: use one of {known} (or --assignment).")
    seen: dict[str, Submission] = {}
    for s in subs:
        if s.key in seen:
            raise KafkaLabError(f"Two submissions for {s.key}: {seen[s.key].files[0]} and "
                                f"{s.files[0]}. Fix: keep one file per student.")
        seen[s.key] = s
    if not subs:
        raise KafkaLabError(f"No submissions (.ipynb) found in {folder}.")
    return subs
