"""nbgrader's Execute step, hardened for hostile submissions.

When the kernel dies (``os._exit``, a segfault, SIGKILL, a self-inflicted restart) or stops
answering after a timeout (code that ignores the interrupt), nbclient raises and nbgrader would
drop the whole submission. Here the cell that did it and every later code cell get an error
output instead, so the tests that already ran keep their points, the rest score zero, and the
feedback says why.

Locked cells that are neither answers nor tests (the instructor's setup, e.g. starting the
cluster, which takes longer on a busy machine) get ``setup_timeout`` instead of ``timeout``.
"""

from __future__ import annotations

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """Execute that survives a dead kernel (see the module docstring)."""

    _dead: str | None = None
    setup_timeout = Integer(180, help="per-cell limit for locked setup cells").tag(config=True)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
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
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead = f"the kernel died while running cell {index}"
            self.log.error("Kernel died in cell %s; the remaining cells score zero", index)
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("KernelDied", f"{self._dead} (the code exited or crashed the kernel)")]
            return cell, resources
        except CellTimeoutError:  # interrupted, but the kernel never became idle again
            self._dead = f"the kernel stopped answering in cell {index}"
            self.log.error("Kernel ignored the interrupt in cell %s; the rest scores zero", index)
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("KernelDied", f"{self._dead}: it ignored the interrupt after the "
                       f"{self.timeout} s time limit")]
            return cell, resources
