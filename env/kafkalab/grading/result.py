"""What grading one submission gives: a typed row of grades.csv."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


class Outcome(enum.Enum):
    GRADED = "graded"  # nbgrader graded it (some tests may have scored zero)
    ERROR = "error"  # nbgrader could not grade it, or the grader stopped
    TIMEOUT = "timeout"  # the whole submission took longer than its wall-clock limit
    MISSING = "missing"  # no notebook submitted
    UNREADABLE = "unreadable"  # the file is not a readable notebook
    AMBIGUOUS = "ambiguous"  # several notebooks, none under the assignment's name


@dataclass
class GradeResult:
    student: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    status: Outcome = Outcome.ERROR
    reason: str = ""
    seconds: float = 0.0
    sandbox: str = "none"
    digest: str = ""
    feedback: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    # every check (feedback.Check as a dict: grade_id, exercise, sentence, points, max_points,
    # message); written answers waiting for the instructor have points None
    checks: list[dict[str, Any]] = field(default_factory=list)

    def exercises(self) -> dict[str, tuple[float, float]]:
        """(score, max) per exercise, summed over its checks."""
        out: dict[str, tuple[float, float]] = {}
        for c in self.checks:
            got, top = out.get(c["exercise"], (0.0, 0.0))
            out[c["exercise"]] = (got + (c["points"] or 0.0), top + c["max_points"])
        return out

    @property
    def manual(self) -> list[str]:
        """The written answers waiting for the instructor."""
        return [c["grade_id"] for c in self.checks if c["points"] is None]

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.student}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeResult:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["status"] = Outcome(known.get("status", "error"))
        return cls(**known)

    def write(self, path: Path) -> None:
        """Atomically: a reader (or a resumed run) never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> GradeResult:
        return cls.from_dict(json.loads(path.read_text()))
