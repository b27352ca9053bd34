"""Execute solution notebooks with papermill against real Kafka and summarise the run."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import nbcheck
from .kernels import IpcKernelManager
from .paths import CoursePaths

CELL_TIMEOUT = 900  # seconds; every lesson bounds its own loops far below this


def run_one(paths: CoursePaths, name: str, out_dir: Path, full: bool = False,
            cell_timeout: int = CELL_TIMEOUT) -> dict:
    """Execute ``solutions/NAME/NAME.ipynb`` into ``out_dir/NAME.ipynb``; return its result.

    The notebook starts its own cluster(s): KAFKA_LAB_FRESH=1 keeps it from joining a cluster
    left running by `python -m kafkalab up`. A failure keeps papermill's error banner in the
    executed notebook and is reported, never raised."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    src = paths.solution(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{name}.ipynb"
    params = {} if full else paths.ci_parameters(name)
    os.environ["KAFKA_LAB_FRESH"] = "1"
    result: dict = {"name": name, "status": "ok", "parameters": params, "full": full,
                    "source": str(src), "source_sha256": nbcheck.sha256(src), "output": str(out)}
    t0 = time.monotonic()
    try:
        pm.execute_notebook(str(src), str(out), parameters=params, cwd=str(src.parent),
                            kernel_name="python3", progress_bar=False, log_output=False,
                            execution_timeout=cell_timeout,
                            kernel_manager_class=IpcKernelManager)
    except PapermillExecutionError as exc:
        result.update(status="failed", failing_cell=exc.cell_index, error=f"{exc.ename}: "
                      f"{str(exc.evalue)[:300]}")
    except Exception as exc:  # dead kernel, timeout, unreadable notebook: report and go on
        result.update(status="failed", error=f"{type(exc).__name__}: {str(exc)[:300]}")
    result["seconds"] = round(time.monotonic() - t0, 2)
    if out.is_file():
        nb = nbcheck.read(out)
        grades = nbcheck.grade_results(nb)
        result["grade_cells"] = [g.as_dict() for g in grades]
        result["points"] = sum(g.points for g in grades)
        result["max_points"] = sum(g.max_points for g in grades)
        if result["status"] == "failed" and "failing_cell" in result:
            # papermill counts the banner cell it inserts; name the cell by its grade_id too
            first = nbcheck.first_error(nb)
            if first is not None:
                result["failing_cell"], result["failing_grade_id"] = first[0], first[1]
    (out_dir / f"{name}.result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def run_all(paths: CoursePaths, names: list[str], out_dir: Path, full: bool = False,
            cell_timeout: int = CELL_TIMEOUT, echo: bool = True) -> dict:
    """Run every named lesson in turn (a failure never stops the others); write the summary."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results = []
    t0 = time.monotonic()
    for i, name in enumerate(names, 1):
        if echo:
            print(f"[{i}/{len(names)}] {name} ...", flush=True)
        res = run_one(paths, name, out_dir, full=full, cell_timeout=cell_timeout)
        results.append(res)
        if echo:
            where = (f" at cell {res.get('failing_cell')} ({res.get('failing_grade_id', '')}): "
                     f"{res.get('error')}" if res["status"] != "ok" else "")
            print(f"[{i}/{len(names)}] {name}: {res['status']} in {res['seconds']:.1f} s{where}",
                  flush=True)
    summary = {"started": started, "full": full, "total_seconds": round(time.monotonic() - t0, 2),
               "failed": [r["name"] for r in results if r["status"] != "ok"],
               "notebooks": results}
    write_summary(summary, out_dir)
    return summary


def write_summary(summary: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / "summary.json", out_dir / "summary.md"
    js.write_text(json.dumps(summary, indent=2) + "\n")
    lines = [f"# Course run ({'full' if summary['full'] else 'CI'} parameters)", "",
             f"Started {summary['started']}, {summary['total_seconds']:.1f} s in total; "
             f"{len(summary['failed'])} failed.", "",
             "| notebook | result | seconds | points |", "|---|---|---:|---:|"]
    for r in summary["notebooks"]:
        if r["status"] == "ok":
            res = "ok"
        else:
            res = (f"failed at cell {r.get('failing_cell', '?')} "
                   f"`{r.get('failing_grade_id', '')}`: {r.get('error', '')}").replace("|", "\\|")
        pts = f"{r.get('points', 0):g}/{r.get('max_points', 0):g}" if "points" in r else "-"
        lines.append(f"| {r['name']} | {res} | {r['seconds']:.1f} | {pts} |")
    md.write_text("\n".join(lines) + "\n")
    return js, md
