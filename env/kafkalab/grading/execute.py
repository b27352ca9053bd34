"""nbgrader's Execute step, hardened for hostile submissions.

When the kernel dies (``os._exit``, a segfault, SIGKILL, a self-inflicted restart) or stops
answering after a timeout (code that ignores the interrupt), nbclient raises and nbgrader would
drop the whole submission. Here the cell that did it and every later code cell get an error
output instead, so the tests that already ran keep their points, the rest score zero, and the
feedback says why.

Verdicts are decided here, outside the student's kernel. Before each graded (test) cell the
grader runs a restore step in the kernel (IPython's input and AST transformers, cell magics (a
graded cell may start with ``%%needs``), custom exception handler, pre-run hooks, the shell's
and kernel's methods, ``sys.stdout``/``stderr`` and the builtins as they were before the first
cell, and user globals that shadow a builtin are removed). Then the test cell runs with a fresh
random token appended (sent only in the execute request, never written in a notebook): the cell
counts only if that token comes back in its output, so a test cell that did not run to its end
scores zero whatever the kernel reports.
Where the exercise allows, the cell must also pass a check of the cluster's state made by the
grader's own process (:mod:`kafkalab.grading.verdicts`, :mod:`kafkalab.grading.probe`).

Locked cells that are neither answers nor tests (the instructor's setup, e.g. starting the
cluster, which takes longer on a busy machine) get ``setup_timeout`` instead of ``timeout``; a
cell the instructor marked with metadata ``kafkalab.timeout`` gets that limit, read from the
instructor's source notebook (``marked_timeouts``), never from the submission.

Cells the instructor marked as demonstrations (metadata ``kafkalab.demo``, read from the
instructor's source notebook: ``demos``) are not run: nothing graded depends on them, and they
are most of a lesson's running time. Answer and test cells always run, whatever a submission's
metadata says.
"""

from __future__ import annotations

import ast
import json
import secrets
from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Dict, Integer, List, Unicode

from ..course import nbcheck
from . import probe
from .kernel import SandboxedKernelManager
from .verdicts import check_for, facts_expression

# Modules on a cell's way from the execute request to the compiled code, whose functions and
# classes the restore step also puts back.
PATH_MODULES = ("ast", "codeop", "tokenize", "IPython.core.compilerop",
                "IPython.core.interactiveshell", "IPython.core.inputtransformer2",
                "IPython.core.displayhook", "ipykernel.ipkernel", "ipykernel.kernelbase",
                "ipykernel.zmqshell", "ipykernel.iostream", "jupyter_client.session",
                "kafkalab.needs")
# Run once, before the first cell: what the restore step puts back.
SNAPSHOT = r"""
PATH_MODULES = @PATH_MODULES@
def __kafkalab_snapshot():
    import builtins, sys, types
    from IPython.core.getipython import get_ipython
    ip = get_ipython()
    try:  # the %%needs cell magic a graded cell may start with: registered now, restored below
        import kafkalab.needs
        kafkalab.needs.register_magic()
    except ImportError:
        pass
    cell_magics = dict(ip.magics_manager.magics["cell"])
    classes = [c for c in (*type(ip).__mro__, *type(ip.kernel).__mro__)
               if c.__module__.split(".")[0] in ("IPython", "ipykernel")]
    # the execute path beyond the shell's own classes: the parser, the compiler, the session
    path = [sys.modules[m] for m in PATH_MODULES if m in sys.modules]
    for mod in path:
        classes += [v for v in vars(mod).values() if isinstance(v, type)
                    and v.__module__ == mod.__name__ and v not in classes]
    methods = {c: dict(vars(c)) for c in classes}
    names = {n for d in methods.values() for n, v in d.items() if callable(v)}
    own = {obj: dict(vars(obj)) for obj in (ip, ip.kernel, ip.compile)}
    functions = {mod: {n: v for n, v in vars(mod).items() if callable(v)} for mod in path}
    codes = {f: f.__code__ for d in (*methods.values(), *functions.values())
             for f in d.values() if isinstance(f, types.FunctionType)}
    kept = dict(vars(builtins))
    cleanup, post = list(ip.input_transformers_cleanup), list(ip.input_transformers_post)
    ast_t = list(ip.ast_transformers)
    hooks = {k: list(v) for k, v in ip.events.callbacks.items()}
    streams = (sys.stdout, sys.stderr, sys.displayhook, sys.excepthook)
    def restore():
        for f, code in codes.items():  # a function rewritten in place keeps its identity
            if f.__code__ is not code:
                f.__code__ = code
        for mod, d in functions.items():
            for name, value in d.items():
                if vars(mod).get(name) is not value:
                    setattr(mod, name, value)
        for c, d in methods.items():
            for name, value in d.items():
                if not name.startswith("__") and vars(c).get(name) is not value:
                    setattr(c, name, value)
        for obj, before in own.items():
            for name in [n for n in vars(obj) if n in names and not n.startswith("__")]:
                if name not in before:
                    del vars(obj)[name]
                elif vars(obj)[name] is not before[name]:
                    vars(obj)[name] = before[name]
        b = vars(builtins)
        for name, value in kept.items():
            if b.get(name) is not value:
                b[name] = value
        for name in [n for n in ip.user_ns if n in kept and not n.startswith("_")
                     and n not in ip.user_ns_hidden and ip.user_ns[n] is not kept[n]]:
            del ip.user_ns[name]
        ip.input_transformers_cleanup[:] = cleanup
        ip.input_transformers_post[:] = post
        ip.ast_transformers[:] = ast_t
        ip.magics_manager.magics["cell"].clear()  # a forged %%needs could run the token only
        ip.magics_manager.magics["cell"].update(cell_magics)
        ip.set_custom_exc((), None)
        for k, v in hooks.items():
            ip.events.callbacks[k][:] = v
        sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = streams
        sys.settrace(None)
        sys.setprofile(None)
    module = types.ModuleType("_kafkalab_grader")
    module.restore = restore
    sys.modules["_kafkalab_grader"] = module
__kafkalab_snapshot()
del __kafkalab_snapshot, PATH_MODULES
""".replace("@PATH_MODULES@", repr(PATH_MODULES))
# evaluated as a user expression: no input transformer sees it
RESTORE = '__import__("sys").modules["_kafkalab_grader"].restore()'


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """Execute that survives a dead kernel (see the module docstring)."""

    _dead: str | None = None
    _snapshot_taken = False
    setup_timeout = Integer(180, help="per-cell limit for locked setup cells").tag(config=True)
    marked_timeouts = Dict(help="'assignment/grade_id' -> seconds: the instructor's own cell "
                           "limits (grading.course.marked_timeouts)").tag(config=True)
    demos = List(Unicode(), help="'assignment/grade_id' of the instructor's demonstrations, "
                 "not run (grading.course.demo_cells)").tag(config=True)
    _assignment = ""
    _probe: probe.Probe | None = None  # the grader's probe of this submission's checks

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # nbgrader's Execute passes its own kernel_manager_class, which config cannot override
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)

    def _helper(self, code: str, index: int) -> NotebookNode:
        """Run grader code in the kernel (not part of the notebook, not in its history)."""
        cell = NotebookNode(cell_type="code", source=code, metadata={}, outputs=[],
                            execution_count=None)
        self.execute_cell(cell, index, store_history=False)
        return cell

    async def _async_restore(self) -> bool:
        assert self.kc is not None
        msg_id = self.kc.execute("", silent=True, store_history=False,
                                 user_expressions={"restored": RESTORE})
        reply = await self.async_wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        return content.get("user_expressions", {}).get("restored", {}).get("status") == "ok"

    _restore = run_sync(_async_restore)

    def _graded(self, cell: NotebookNode, resources: dict,
                index: int) -> tuple[NotebookNode, dict]:
        """Restore the shell, then run the test cell with a token that must come back."""
        restored = self._restore()
        token = secrets.token_hex(16)
        source = cell.source
        cell.source = f"{source}\n\nprint({token!r}, flush=True)\n"
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        finally:
            cell.source = source
        came_back = False
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and token in out.get("text", ""):
                came_back = True
                out["text"] = out["text"].replace(token + "\n", "").replace(token, "")
        cell.outputs = [o for o in cell.get("outputs", [])
                        if not (o.get("output_type") == "stream" and not o.get("text"))]
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if not came_back and not errors:
            why = "the grader's end-of-cell check did not come back: the test did not run to " \
                  "its end"
            if not restored:
                why += " (and the grader could not restore the shell before it)"
            cell.outputs.append(_error("GradingError", why))
        elif not errors:
            wrong = self._cluster_check(cell, resources)
            if wrong:
                cell.outputs.append(_error("GradingError", wrong))
        return cell, resources

    async def _async_facts(self, expression: str) -> Any:
        assert self.kc is not None
        msg_id = self.kc.execute("", silent=True, store_history=False,
                                 user_expressions={"facts": expression})
        reply = await self.async_wait_for_reply(msg_id)
        got = (reply or {}).get("content", {}).get("user_expressions", {}).get("facts", {})
        if got.get("status") != "ok":
            return None
        text = got.get("data", {}).get("text/plain", "")
        try:  # the repr of the JSON string
            return json.loads(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            return None

    _facts = run_sync(_async_facts)

    def _cluster_check(self, cell: NotebookNode, resources: dict) -> str | None:
        """The grader-side check of this test cell (:mod:`kafkalab.grading.verdicts`), if the
        exercise has one: None when it passed (or there is none), else what was wrong."""
        assignment = (resources.get("nbgrader") or {}).get("assignment", "")
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        check = check_for(assignment, grade_id)
        if check is None:
            return None
        facts = self._facts(facts_expression(check))
        if not isinstance(facts, dict):
            return f"the grader could not read what it checks ({check.what})"
        net_pid = getattr(self.km, "net_pid", lambda: None)()
        box = getattr(self.km, "sandbox", None)
        container = box.name if box is not None else ""
        if self._probe is None or (self._probe.net_pid, self._probe.container) != \
                (net_pid, container):
            self._end_probe()
            self._probe = probe.Probe(net_pid, container)
        passed, message = self._probe.ask(assignment, grade_id, facts)
        return None if passed else f"checked by the grader on the cluster: {message}"

    def _end_probe(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def _check_memory(self) -> None:
        """Note whether the submission reached its memory limit while its sandbox still runs
        (the grade's reason says so: see ``SandboxSpec.memory_note``)."""
        box = getattr(self.km, "sandbox", None)
        if box is not None:
            box.check_memory()

    def preprocess(self, nb: NotebookNode, resources: Any = None,
                   km: Any = None) -> tuple[NotebookNode, dict]:
        self._assignment = ((resources or {}).get("nbgrader") or {}).get("assignment", "")
        try:
            return super().preprocess(nb, resources, km)
        finally:  # the submission's probe ends with its kernel (its sandbox goes after)
            self._end_probe()

    def _marked_timeout(self, cell: NotebookNode | None) -> int | None:
        gid = ((cell or {}).get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
        return self.marked_timeouts.get(f"{self._assignment}/{gid}") if gid else None

    def _is_demo(self, cell: NotebookNode) -> bool:
        gid = (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
        return bool(gid) and f"{self._assignment}/{gid}" in self.demos and \
            not is_grade(cell) and not is_solution(cell)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        if marked := self._marked_timeout(cell):
            return marked
        meta = (cell or {}).get("metadata", {}).get("nbgrader", {})
        base = super()._get_timeout(cell)
        if meta.get("locked") and not meta.get("grade") and not meta.get("solution") and base:
            return max(base, self.setup_timeout)
        return base

    def preprocess_cell(self, cell: NotebookNode, resources: dict,
                        index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, resources
        if self._dead is not None:
            cell.outputs = [_error("KernelDied", f"not run: {self._dead}")]
            return cell, resources
        if self._is_demo(cell):
            cell.outputs = [NotebookNode(output_type="stream", name="stdout",
                                         text=nbcheck.demo_note("the grader"))]
            cell.execution_count = None
            return cell, resources
        try:
            if not self._snapshot_taken:
                self._snapshot_taken = True
                self._helper(SNAPSHOT, index)
            if is_grade(cell):
                return self._graded(cell, resources, index)
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._check_memory()
            self._dead = f"the kernel died while running cell {index}"
            self.log.error("Kernel died in cell %s; the remaining cells score zero", index)
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("KernelDied", f"{self._dead} (the code exited or crashed the kernel)")]
            return cell, resources
        except CellTimeoutError:  # interrupted, but the kernel never became idle again
            self._check_memory()  # e.g. stuck reclaiming memory at its limit
            self._dead = f"the kernel stopped answering in cell {index}"
            self.log.error("Kernel ignored the interrupt in cell %s; the rest scores zero", index)
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("KernelDied", f"{self._dead}: it ignored the interrupt after the "
                       f"cell's {self._get_timeout(cell)} s time limit")]
            return cell, resources
