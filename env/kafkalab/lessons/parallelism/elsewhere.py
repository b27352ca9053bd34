"""Call a notebook function in a NEW Python process, as a restarted (or a second) producer would.

:func:`call_elsewhere` rebuilds the function from its source and the globals it reads (modules
re-imported, functions and classes of the notebook from their source, other values pickled),
runs it in a fresh interpreter started with another ``PYTHONHASHSEED``, and returns the
``repr`` of each result. Anything that depends on the process (Python's salted ``hash()`` of a
str, ``id()``, a random salt drawn per process) comes back different.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import os
import pickle
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterable
from typing import Any


def _names(code: types.CodeType, source: str) -> set[str]:
    """Global names ``code`` (and its nested functions) or its source text may read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const, "")
    if source:
        try:
            names |= {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        except SyntaxError:
            pass
    return names


def _bind(name: str, value: Any) -> str | None:
    try:
        return f"{name} = __import__('pickle').loads({pickle.dumps(value)!r})"
    except Exception:  # noqa: BLE001 - not picklable: left out (a NameError if really read)
        return None


def _source(fn: Callable, seen: set[str], lines: list[str]) -> str:
    """Append to ``lines`` what ``fn`` needs, then its own definition; returns the name the
    definition binds."""
    fn = inspect.unwrap(fn)
    g = fn.__globals__
    src = textwrap.dedent(inspect.getsource(fn))
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True):
        line = _bind(name, cell.cell_contents)  # a closure's variables become globals
        if line:
            lines.append(line)
    for name in sorted(_names(fn.__code__, src)):
        if name in seen or name not in g or name in fn.__code__.co_freevars:
            continue
        seen.add(name)
        value = g[name]
        if value is fn:
            continue
        if isinstance(value, types.ModuleType):
            lines.append(f"import {value.__name__}" if value.__name__ == name
                         else f"import {value.__name__} as {name}")
        elif (inspect.isfunction(value) or inspect.isclass(value)) \
                and value.__module__ == g.get("__name__"):
            if inspect.isfunction(value):
                bound = _source(value, seen, lines)
            else:
                lines.append(textwrap.dedent(inspect.getsource(value)))
                bound = value.__name__
            if bound not in (name, "<lambda>"):  # a lambda's source line binds its name
                lines.append(f"{name} = {bound}")
        elif value is not getattr(builtins, name, object()):
            line = _bind(name, value)
            if line:
                lines.append(line)
    lines.append(src)
    return fn.__name__


def call_elsewhere(fn: Callable, calls: Iterable[tuple], name: str | None = None,
                   timeout: float = 30) -> list[str]:
    """``repr(fn(*args))`` for each ``args`` in ``calls``, computed by a new Python process
    whose ``PYTHONHASHSEED`` differs from this one's. ``name`` is what the notebook calls
    ``fn`` (needed for a lambda). Raises ``RuntimeError`` with the reason when the new process
    cannot rebuild or call it."""
    lines: list[str] = []
    try:
        bound = _source(fn, set(), lines)
    except (OSError, TypeError) as exc:
        raise RuntimeError(f"its source cannot be found ({exc})") from exc
    if bound == "<lambda>":
        bound = name or fn.__name__
    mine = os.environ.get("PYTHONHASHSEED", "random")
    seed = str(int(mine) + 1) if mine.isdigit() else "1"
    program = "\n".join(lines) + "\n" + textwrap.dedent(f"""\
        import json as _kl_json, sys as _kl_sys
        _kl_fn = globals()[{bound!r}]
        _kl_sys.stdout.write(_kl_json.dumps([repr(_kl_fn(*_kl_a))
                                             for _kl_a in _kl_json.load(_kl_sys.stdin)]))
        """)
    try:
        done = subprocess.run(
            [sys.executable, "-c", program], input=json.dumps([list(a) for a in calls]),
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "PYTHONHASHSEED": seed})
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"the new process did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise RuntimeError(f"the new process failed: {last}")
    return json.loads(done.stdout)
