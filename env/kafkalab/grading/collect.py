"""Find submissions: nbgrader's submitted/<student>/<assignment>/ layout or a plain folder."""

from __future__ import annotations

import hashlib
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
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for a_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            if assignment and a_dir.name != assignment:
                continue
            files = tuple(sorted(f for f in a_dir.rglob("*") if f.is_file()
                                 and ".ipynb_checkpoints" not in f.parts))
            if any(f.suffix == ".ipynb" for f in files):
                subs.append(Submission(_SAFE.sub("_", student_dir.name), a_dir.name, files))
    for nb in sorted(folder.glob("*.ipynb")):
        name = assignment or _guess_assignment(nb.stem, known)
        if name is None:
            raise KafkaLabError(f"Cannot tell which assignment {nb.name} is. Fix: pass "
                                f"--assignment (one of {known}).")
        subs.append(Submission(student_id(nb.stem, name), name, (nb,)))
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
