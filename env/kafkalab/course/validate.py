"""`nbgrader validate` semantics for the whole course, executing each notebook at most once.

- Solution: every test cell passes. A papermill run of the current source (same sha256, same
  CI parameters) that finished with no error has already shown this, so it is reused; otherwise
  the solution runs now.
- Release (``--invert``): the untouched student copy, with the hidden tests autograde restores,
  scores zero and raises nothing outside its answer and test cells except the stub's
  NotImplementedError (or a NameError for what an unanswered cell never defined).
- Time: the seconds every cell took, against the limit the grader gives it
  (:func:`nbcheck.time_limit`: 30 s, 180 s for locked setup cells, or the cell's own
  ``kafkalab.timeout``). A cell past its limit is a problem (grading would interrupt it); a cell
  past a third of it is a warning (on a busy machine, at default parameters, it may not finish).
- Conventions (:func:`nbcheck.convention_problems`): warnings until every lesson follows them.
- Demonstrations (:func:`demos.dependency_problems`): a cell the grader runs that reads a name
  only skipped demonstrations (``kafkalab.demo``) define is a problem.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from nbformat import NotebookNode

from . import demos, nbcheck
from .kernels import IpcKernelManager
from .paths import CoursePaths
from .run import CELL_TIMEOUT, run_one


def timing(executed: NotebookNode, source: NotebookNode) -> tuple[list[dict], list[str],
                                                                  list[str]]:
    """(per-cell seconds and limits, problems, warnings) of an executed notebook."""
    times = nbcheck.cell_times(executed, limits_from=source)
    problems = [f"cell {t.index} ({t.grade_id}) took {t.seconds:.1f} s, past the grader's "
                f"{t.limit} s limit. Fix: make it faster, or mark it with metadata "
                f'{{"kafkalab": {{"timeout": S}}}} if it legitimately takes longer'
                for t in times if t.seconds > t.limit]
    warnings = [f"cell {t.index} ({t.grade_id}) took {t.seconds:.1f} s, over a third of its "
                f"{t.limit} s grading limit" for t in times if t.over_third
                and t.seconds <= t.limit]
    return [t.as_dict() for t in times], problems, warnings


def _times_line(cells: list[dict]) -> str:
    return ", ".join(f"{c['grade_id']} {c['seconds']:.1f}/{c['limit']}"
                     + ("!" if c["over_third"] else "") for c in cells)


def validate_solution(paths: CoursePaths, name: str, run_dir: Path,
                      cell_timeout: int = CELL_TIMEOUT) -> dict:
    src = paths.solution(name)
    res_file = run_dir / f"{name}.result.json"
    res = json.loads(res_file.read_text()) if res_file.is_file() else None
    how = f"reused {res_file}"
    if (not res or res.get("source_sha256") != nbcheck.sha256(src) or res.get("full")
            or res.get("parameters") != paths.ci_parameters(name)):
        res, how = run_one(paths, name, run_dir, cell_timeout=cell_timeout), "executed now"
    failed = [g for g in res.get("grade_cells", []) if g["points"] < g["max_points"]]
    problems = [f"test cell {g['grade_id']} failed: {g['error']}" for g in failed]
    if res["status"] != "ok":
        problems.append(f"the notebook failed at cell {res.get('failing_cell', '?')}: "
                        f"{res.get('error', '')}")
    if not res.get("grade_cells"):
        problems.append("no graded test cells found")
    cells: list[dict] = []
    warnings: list[str] = []
    if Path(res.get("output", "")).is_file():
        cells, slow, warnings = timing(nbcheck.read(Path(res["output"])), nbcheck.read(src))
        problems += slow
    return {"name": name, "check": "solution", "ok": not problems, "problems": problems,
            "how": how, "seconds": res.get("seconds"), "cells": cells, "warnings": warnings}


def validate_release(paths: CoursePaths, name: str, work_dir: Path,
                     cell_timeout: int = CELL_TIMEOUT) -> dict:
    """Execute the blank student copy (hidden tests restored) once with the CI parameters."""
    from nbclient import NotebookClient
    from papermill.parameterize import parameterize_notebook

    problems: list[str] = []
    release = paths.release(name)
    if not release.is_file():
        return {"name": name, "check": "release", "ok": False, "seconds": 0, "how": "",
                "problems": [f"{release} is missing. Fix: kafka-lab course release "
                             f"{name}"]}
    blank = nbcheck.blank_with_hidden_tests(nbcheck.read(paths.solution(name)),
                                            nbcheck.read(release))
    for cell in blank.cells:
        cell.metadata.setdefault("tags", [])  # papermill expects every cell to carry tags
    blank.metadata.setdefault("papermill", {})
    blank = parameterize_notebook(blank, paths.ci_parameters(name))
    os.environ["KAFKA_LAB_FRESH"] = "1"
    client = NotebookClient(blank, timeout=cell_timeout, kernel_name="python3",
                            allow_errors=True, kernel_manager_class=IpcKernelManager,
                            resources={"metadata": {"path": str(release.parent)}})
    t0 = time.monotonic()
    try:
        client.execute()
    except Exception as exc:  # dead kernel or a cell timeout: the blank copy did not run through
        problems.append(f"execution stopped: {type(exc).__name__}: {str(exc)[:300]}")
    seconds = round(time.monotonic() - t0, 2)
    work_dir.mkdir(parents=True, exist_ok=True)
    out = work_dir / f"{name}.blank.ipynb"
    out.write_text(json.dumps(blank, indent=1) + "\n")
    grades = nbcheck.grade_results(blank)
    scored = [g for g in grades if g.points > 0]
    problems += [f"test cell {g.grade_id} passes on a blank copy" for g in scored]
    problems += [f"error outside the answers: {e}"
                 for e in nbcheck.unexpected_errors(blank, nbcheck.BLANK_ERRORS)]
    last = next((c for c in reversed(blank.cells) if c.cell_type == "code"), None)
    if last is not None and last.get("execution_count") is None:
        problems.append("the last code cell never ran")
    cells, slow, warnings = timing(blank, nbcheck.read(paths.solution(name)))
    return {"name": name, "check": "release", "ok": not (problems + slow),
            "problems": problems + slow, "how": f"executed the blank copy into {out}",
            "seconds": seconds, "points": sum(g.points for g in grades), "cells": cells,
            "warnings": warnings}


def conventions(paths: CoursePaths, name: str) -> list[str]:
    """The notebook conventions the solution breaks (nbcheck.convention_problems)."""
    return nbcheck.convention_problems(nbcheck.read(paths.solution(name)))


def validate(paths: CoursePaths, names: list[str], run_dir: Path, echo: bool = True,
             solutions: bool = True, releases: bool = True) -> list[dict]:
    results = []
    for name in names:
        checks = ([validate_solution(paths, name, run_dir)] if solutions else []) + \
                 ([validate_release(paths, name, run_dir / "blank")] if releases else [])
        rules = conventions(paths, name)
        for res in checks:
            results.append(res)
            if echo:
                state = "ok" if res["ok"] else "FAILED"
                print(f"{name} {res['check']}: {state} ({res['how']})", flush=True)
                for p in res["problems"]:
                    print(f"    - {p}", flush=True)
                if res.get("cells"):
                    print(f"    seconds per cell / grading limit (CI parameters; ! = over a "
                          f"third): {_times_line(res['cells'])}", flush=True)
                for w in res.get("warnings", []):
                    print(f"    warning: {w}", flush=True)
        if rules:
            results.append({"name": name, "check": "conventions", "ok": True, "problems": [],
                            "warnings": rules, "how": "nbcheck.convention_problems"})
            if echo:
                print(f"{name} conventions: {len(rules)} warning(s)", flush=True)
                for w in rules:
                    print(f"    warning: {w}", flush=True)
        skipped = demos.dependency_problems(nbcheck.read(paths.solution(name)))
        if skipped:
            results.append({"name": name, "check": "demos", "ok": False, "problems": skipped,
                            "how": "demos.dependency_problems"})
            if echo:
                print(f"{name} demos: FAILED", flush=True)
                for p in skipped:
                    print(f"    - {p}", flush=True)
    (run_dir / "validate.json").parent.mkdir(parents=True, exist_ok=True)
    (run_dir / "validate.json").write_text(json.dumps(results, indent=2) + "\n")
    return results
