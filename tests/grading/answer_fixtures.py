"""Answer fixtures (contract A of issue #14): parse and validate their headers, pack them into
submissions, and judge the per-cell scores a grading run gave them.

A fixture is ``tests/grading/answers/<lesson>/<misconception>.py``: the source of ONE answer
cell, after a header of comment lines::

    # cell: ex2_answer            grade_id of the answer cell it replaces
    # verdict: wrong              wrong | correct
    # misconception: acks=all without enable.idempotence (duplicates when a response is lost)
    # loses: ex2_test             wrong only: graded test cells that must score below their points
    # may_lose: ex2_other         wrong only, optional: cells it may also lose, or not, with the
                                  machine's timing (say why in a comment line)

Nothing here starts Kafka: ``tests/grading/test_answer_fixtures.py`` grades the packed class and
``tests/unit/test_answer_fixture_headers.py`` checks every committed header against its lesson.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from kafkalab.course.answers import fill_answers, solution_answers

ANSWERS = Path(__file__).parent / "answers"
KEYS = ("cell", "verdict", "misconception", "loses", "may_lose")
VERDICTS = ("wrong", "correct")
SOLUTION = "solution"  # the student ids of the two reference submissions of every class
BLANK = "blank"
_KEY_LINE = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*?)\s*$")
_CONTINUED = re.compile(r"^#\s{2,}\S")  # "#   ..." after `# misconception:` continues it
_OTHER_KEYS = ("ruff", "noqa", "type", "pylint", "fmt")  # tool comments allowed in a header


class FixtureError(ValueError):
    """A fixture file whose header or target does not fit its lesson (the message says how)."""


@dataclass(frozen=True)
class Fixture:
    lesson: str
    name: str  # file stem
    path: Path
    cell: str
    verdict: str
    misconception: str
    loses: tuple[str, ...]
    source: str  # the answer cell's source (the file, header key lines removed)
    may_lose: tuple[str, ...] = ()  # wrong only: lost or not depending on timing, both fine

    @property
    def wrong(self) -> bool:
        return self.verdict == "wrong"

    @property
    def label(self) -> str:
        return f"{self.lesson}/{self.name}"


def _where(path: Path) -> str:
    try:
        return str(path.relative_to(ANSWERS.parent.parent.parent))
    except ValueError:
        return str(path)


def parse(path: Path, lesson: str | None = None) -> Fixture:
    """Read one fixture file; raise :class:`FixtureError` for any header problem."""
    where = _where(path)
    text = path.read_text()
    lines = text.splitlines()
    header: dict[str, str] = {}
    body_start = 0
    kept: list[str] = []  # comment lines of the header that are not keys stay in the source
    last = ""  # the key of the previous line ("#   more text" after misconception continues it)
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            body_start = i
            break
        m = _KEY_LINE.match(line)
        if last == "misconception" and _CONTINUED.match(line):
            header[last] += " " + line[1:].strip()
            continue
        last = ""
        if m and m.group(1) in KEYS:
            key, value = m.group(1), m.group(2)
            if key in header:
                raise FixtureError(f"{where}: `# {key}:` appears twice in the header. Fix: "
                                   "give each header key once.")
            header[key] = value
            last = key
        elif m and m.group(1) not in _OTHER_KEYS and not header.get("misconception"):
            raise FixtureError(f"{where}: unknown header key `# {m.group(1)}:` (known: "
                               f"{', '.join(KEYS)}). Fix: use one of them, or write the comment "
                               "after the `# misconception:` line.")
        else:
            kept.append(line)
    else:
        body_start = len(lines)
    body = "\n".join(lines[body_start:]).strip("\n")
    for key in ("cell", "verdict"):
        if not header.get(key):
            raise FixtureError(f"{where}: the header has no `# {key}:` line. Fix: start the file "
                               "with `# cell: <answer grade_id>`, `# verdict: wrong|correct`, "
                               "`# misconception: ...` and, if wrong, `# loses: <test ids>`.")
    verdict = header["verdict"].lower()
    if verdict not in VERDICTS:
        raise FixtureError(f"{where}: `# verdict: {header['verdict']}` is neither `wrong` nor "
                           "`correct`. Fix: write `# verdict: wrong` or `# verdict: correct`.")
    loses = tuple(x.strip() for x in header.get("loses", "").split(",") if x.strip())
    if verdict == "wrong":
        if not header.get("misconception"):
            raise FixtureError(f"{where}: a wrong answer needs a misconception. Fix: add `# "
                               "misconception: <what the student believes>` (it names the row of "
                               "discrimination.md).")
        if not loses:
            raise FixtureError(f"{where}: a wrong answer needs the cells it must lose. Fix: add "
                               "`# loses: <grade_id>[, ...]`, the graded test cells that must "
                               "score below their points.")
    elif "loses" in header or "may_lose" in header:
        raise FixtureError(f"{where}: a correct answer loses nothing. Fix: remove its "
                           "`# loses:` and `# may_lose:` lines.")
    may_lose = tuple(x.strip() for x in header.get("may_lose", "").split(",") if x.strip())
    if set(may_lose) & set(loses):
        raise FixtureError(f"{where}: {', '.join(sorted(set(may_lose) & set(loses)))} is in "
                           "both `# loses:` and `# may_lose:`. Fix: a cell it must lose goes "
                           "in `# loses:` only.")
    if not body.strip():
        raise FixtureError(f"{where}: no code after the header. Fix: put the answer "
                           "cell's source after the header lines.")
    source = "\n".join(kept + [body]) + "\n" if kept else body + "\n"
    return Fixture(lesson or path.parent.name, path.stem, path, header["cell"], verdict,
                   header.get("misconception", ""), loses, source, may_lose)


@dataclass
class Cells:
    """What a solution notebook offers fixtures: its answer cells and graded test cells."""

    answers: list[str]
    tests: dict[str, float]  # grade_id -> points
    order: list[str] = field(default_factory=list)  # every grade_id in notebook order

    @classmethod
    def of(cls, solution: NotebookNode) -> Cells:
        answers, tests, order = [], {}, []
        for cell in solution.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
            gid = meta.get("grade_id")
            if not gid:
                continue
            order.append(gid)
            if meta.get("solution"):
                answers.append(gid)
            if meta.get("grade") and cell.cell_type == "code":
                tests[gid] = float(meta.get("points", 0))
        return cls(answers, tests, order)


def check(fx: Fixture, cells: Cells, solution_path: Path) -> None:
    """The fixture names an answer cell and graded test cells that exist in its lesson."""
    where = _where(fx.path)
    sol = _where(solution_path)
    if fx.cell not in cells.answers:
        raise FixtureError(f"{where}: `# cell: {fx.cell}` names no answer cell of {sol} (its "
                           f"answer cells: {', '.join(cells.answers) or 'none'}). Fix: use the "
                           "grade_id of the answer cell (nbgrader `solution: true`) it replaces.")
    bad = [g for g in fx.loses + fx.may_lose if g not in cells.tests]
    if bad:
        raise FixtureError(f"{where}: `# loses:`/`# may_lose:` name {', '.join(bad)}, not "
                           f"graded test cells of {sol} (its test cells: "
                           f"{', '.join(cells.tests) or 'none'}). Fix: list grade_ids of cells "
                           "with nbgrader `grade: true`.")
    zero = [g for g in fx.loses if cells.tests[g] <= 0]
    if zero:
        raise FixtureError(f"{where}: `# loses:` names {', '.join(zero)}, worth 0 points: "
                           "a cell without points cannot lose any. Fix: list cells with points.")


def load(lesson: str, solution_path: Path, folder: Path | None = None) -> list[Fixture]:
    """Every fixture of ``lesson`` (none when it has no folder yet), parsed and checked."""
    folder = folder or ANSWERS / lesson
    if not folder.is_dir():
        return []
    cells = Cells.of(nbformat.read(str(solution_path), as_version=4))
    found = []
    for path in sorted(folder.glob("*.py")):
        fx = parse(path, lesson)
        check(fx, cells, solution_path)
        found.append(fx)
    return found


def exercise_tests(fixtures: list[Fixture]) -> dict[str, set[str]]:
    """answer cell -> the test cells its wrong fixtures must or may lose: where a loss of that
    exercise shows."""
    tests: dict[str, set[str]] = {}
    for fx in fixtures:
        if fx.wrong:
            tests.setdefault(fx.cell, set()).update(fx.loses + fx.may_lose)
    return tests


def pack(fixtures: list[Fixture]) -> list[list[Fixture]]:
    """Group fixtures into as few submissions as possible such that a submission carries at most
    one fixture per answer cell, the test cells wrong fixtures must or may lose do not overlap
    within a submission (so one cannot hide another's miss), and a correct fixture shares a
    submission only with wrong fixtures that lose nothing among its own exercise's test cells
    (so no loss of its own can be excused as a pack-mate's)."""
    tests = exercise_tests(fixtures)

    def excused(fx: Fixture) -> set[str]:  # the cells where fx's pack-mates are forgiven losses
        return set(fx.loses + fx.may_lose)

    def fits(fx: Fixture, sub: list[Fixture]) -> bool:
        if any(o.cell == fx.cell for o in sub):
            return False
        if fx.wrong:
            taken = {g for o in sub if o.wrong for g in excused(o)}
            guarded = {g for o in sub if not o.wrong for g in tests.get(o.cell, set())}
            return not excused(fx) & (taken | guarded)
        return not tests.get(fx.cell, set()) & {g for o in sub for g in excused(o)}

    packs: list[list[Fixture]] = []
    for fx in sorted(fixtures, key=lambda f: not f.wrong):  # wrong first, in their order
        sub = next((s for s in packs if fits(fx, s)), None)
        if sub is None:
            packs.append([fx])
        else:
            sub.append(fx)
    return packs


def submissions(release: NotebookNode, solution: NotebookNode,
                packs: list[list[Fixture]], blank: bool = True) -> dict[str, NotebookNode]:
    """student id -> notebook: the solution, the blank release (unless ``blank`` is false),
    one per pack."""
    good = solution_answers(solution)
    subs = {SOLUTION: fill_answers(release, good)}
    if blank:
        subs[BLANK] = copy.deepcopy(release)
    for i, pk in enumerate(packs, 1):
        subs[student(i)] = fill_answers(release, {**good, **{fx.cell: fx.source for fx in pk}})
    return subs


def student(i: int) -> str:
    return f"pack{i:02d}"


@dataclass
class Verdict:
    """How one fixture fared: ``ok`` is what the contract asks of it."""

    fixture: Fixture
    student: str
    lost: dict[str, tuple[float, float]]  # test cells below max: grade_id -> (score, max)
    missed: list[str]  # wrong: ``loses`` cells that kept full marks
    elsewhere: list[str]  # test cells it should not have cost, below max
    mates: set[str] = field(default_factory=set)  # cells the other fixtures of its pack target

    @property
    def caught(self) -> bool:
        return not self.missed

    @property
    def ok(self) -> bool:
        return not self.missed and not self.elsewhere

    def explain(self) -> str:
        fx = self.fixture
        parts = []
        if self.missed:
            parts.append(f"kept full marks on {', '.join(self.missed)}: the grader does not "
                         f"tell this misconception ({fx.misconception}) from the skill. Fix: make "
                         "the hidden test inject the fault that exposes it, or correct `# loses:`")
        if self.elsewhere:
            where = ", ".join(f"{g} ({s:g}/{m:g})" for g, (s, m) in self.lost.items()
                              if g in self.elsewhere)
            what = ("a correct answer lost points on" if not fx.wrong
                    else "it also lost points outside its `# loses:` cells, on")
            parts.append(f"{what} {where}. Fix: the test should accept this answer (or, if "
                         "the loss is right, add the cells to `# loses:`)")
        return f"{fx.label} (submission {self.student}): " + "; ".join(parts)


def judge(packs: list[list[Fixture]],
          scores: dict[str, dict[str, tuple[float, float]]]) -> list[Verdict]:
    """``scores``: student -> test grade_id -> (score, max)."""
    verdicts = []
    for i, pk in enumerate(packs, 1):
        sid = student(i)
        got = scores[sid]
        below = {g: sm for g, sm in got.items() if sm[0] < sm[1]}
        for fx in pk:
            others = {g for o in pk if o is not fx for g in o.loses + o.may_lose}
            missed = [g for g in fx.loses if g not in below]
            elsewhere = [g for g in below
                         if g not in fx.loses and g not in fx.may_lose and g not in others]
            verdicts.append(Verdict(fx, sid, {g: below[g] for g in below}, missed, elsewhere,
                                    others))
    return verdicts


DISCRIMINATION_HEADER = [
    "# Discrimination: answer fixtures graded by `kafka-lab grade` (default parameters, "
    "--jobs 2)", "",
    "Each wrong answer must lose points on its `loses` cells and nowhere else; each differently "
    "written correct answer must keep full marks. Generated by "
    "`tests/grading/test_answer_fixtures.py` (one section per lesson, from its latest run).", ""]


def discrimination_section(lesson: str, res: dict) -> str:
    """One lesson's table: exercise x misconception, caught or missed."""
    lines = [f"## {lesson}", ""]
    if res.get("error"):
        return "\n".join(lines + [f"Not graded: {res['error']}", ""]) + "\n"
    blank = (f"blank release {res['blank'][0]:g}/{res['blank'][1]:g}" if res.get("blank")
             else "blank release not graded")
    lines.append(f"Solution {res['solution'][0]:g}/{res['solution'][1]:g}, {blank}; "
                 f"{res['students']} submissions, "
                 f"{res['seconds']:.0f} s of the grading run's two jobs (half the sum of "
                 "their seconds).")
    lines.append("")
    verdicts: list[Verdict] = res["verdicts"]
    if not verdicts:
        return "\n".join(lines + ["No answer fixtures yet.", ""]) + "\n"
    lines += ["| exercise | answer | verdict | misconception | result | lost points on |",
              "|---|---|---|---|---|---|"]
    for v in sorted(verdicts, key=lambda v: (v.fixture.cell, v.fixture.verdict, v.fixture.name)):
        fx = v.fixture
        if fx.wrong:
            result = "caught" if v.caught else "**MISSED**"
            if v.elsewhere:
                result += f" (also lost on {', '.join(v.elsewhere)})"
        else:
            result = "kept full marks" if not v.elsewhere else "**LOST POINTS**"
        # cells lost only because another fixture of the same submission targets them are
        # named apart: they are not this answer's (packing, not a dependency between checks)
        other = [g for g in v.lost if g in v.mates and g not in fx.loses]
        lost = ", ".join(f"{g} {s:g}/{m:g}" + (" (may_lose)" if g in fx.may_lose else "")
                         for g, (s, m) in v.lost.items() if g not in other) or "-"
        if other:
            lost += f" (and {', '.join(other)}: a pack-mate's)"
        text = fx.misconception.replace("|", "\\|")
        lines.append(f"| {fx.cell} | `{fx.name}` | {fx.verdict} | {text} | {result} | {lost} |")
    wrong = [v for v in verdicts if v.fixture.wrong]
    right = [v for v in verdicts if not v.fixture.wrong]
    lines += ["", f"{sum(v.caught for v in wrong)}/{len(wrong)} wrong answers caught, "
              f"{sum(not v.elsewhere for v in right)}/{len(right)} correct answers kept "
              "full marks.", ""]
    return "\n".join(lines) + "\n"


def discrimination_md(results: dict[str, dict]) -> str:
    """The whole report for the lessons in ``results``."""
    return "\n".join(DISCRIMINATION_HEADER) + "\n" + "\n".join(
        discrimination_section(lesson, results[lesson]) for lesson in sorted(results))
