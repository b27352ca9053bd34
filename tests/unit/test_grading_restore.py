"""The grader's restore step, in a real ipykernel (no Kafka): a submission that patches the
compiler on a cell's way to execution, or replaces the ``%%needs`` cell magic a graded cell
starts with, to run only the grader's end-of-cell token and skip the test above it, is undone
before the next graded cell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kafkalab.grading.execute import RESTORE, SNAPSHOT

FORGE = r'''
import re
from IPython.core.compilerop import CachingCompiler
_real = CachingCompiler.ast_parse
def _forged(self, src, *a, **k):
    m = re.search(r"print\('([0-9a-f]{32})'", src) if isinstance(src, str) else None
    return _real(self, f"print({m.group(1)!r})" if m else src, *a, **k)
CachingCompiler.ast_parse = _forged
'''
TEST = "assert False, 'the test body ran'\nprint('0123456789abcdef0123456789abcdef')"


@pytest.fixture()
def kernel() -> Iterator:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def _run(kc, code: str) -> list[str]:  # noqa: ANN001 - a kernel client
    said: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] in ("stream", "error"):
            said.append(msg["content"].get("text") or msg["content"].get("ename", ""))

    kc.execute_interactive(code, timeout=60, output_hook=hook)
    return said


def test_forged_token_undone_by_restore(kernel) -> None:  # noqa: ANN001
    _run(kernel, SNAPSHOT)
    _run(kernel, FORGE)
    # without the restore step the attack works (so this test can fail): only the token ran
    assert _run(kernel, TEST) == ["0123456789abcdef0123456789abcdef\n"]
    reply = kernel.execute_interactive("", silent=True, timeout=60,
                                       user_expressions={"r": RESTORE})
    assert reply["content"]["user_expressions"]["r"]["status"] == "ok"
    assert _run(kernel, TEST) == ["AssertionError"]  # the test body ran again


FORGE_MAGIC = r'''
import re
def _forged(line, cell):
    print(re.search(r"print\('([0-9a-f]{32})'", cell).group(1))
get_ipython().register_magic_function(_forged, magic_kind="cell", magic_name="needs")
'''


def test_forged_needs_magic_undone_by_restore(kernel) -> None:  # noqa: ANN001
    _run(kernel, SNAPSHOT)
    _run(kernel, FORGE_MAGIC)
    guarded = "%%needs zookeeper\n" + TEST
    assert _run(kernel, guarded) == ["0123456789abcdef0123456789abcdef\n"]  # the attack works
    reply = kernel.execute_interactive("", silent=True, timeout=60,
                                       user_expressions={"r": RESTORE})
    assert reply["content"]["user_expressions"]["r"]["status"] == "ok"
    assert _run(kernel, guarded) == ["AssertionError"]  # the real magic ran the test body
