"""Crash points: run a function (a student's, from a notebook) in a fresh process that SIGKILLs
itself right after the n-th return of one chosen client call, to see what its work looks like
after a crash: what was committed, flushed, lost or repeated.

A crash point is ``(call, n)``, ``call`` one of :data:`CALLS`. The clients the function gets,
:class:`Producer` and :class:`Consumer`, are confluent-kafka's own, counted: right after the
n-th return of ``call`` the process SIGKILLs itself (no ``finally``, no close: a crash). For
``consume`` the count is the records handed to the caller by ``poll``/``consume`` (error events
excluded). ``wait`` seconds pass between the crash point and the kill (an auto-committing
consumer commits in the meantime).

In the parent:

* :func:`run` the function to its end (or its crash point, or a timeout) -> :class:`Outcome`;
* or, for a process the caller watches itself, :func:`write_job` then :func:`start` (a
  :class:`~kafkalab.procs.Child`, which dies with this process) and :func:`crashed` on its exit
  code.

In the child: :func:`load_job` arms the crash point and compiles the function's source (what the
child's own entry point then calls); ``python -m kafkalab.clients.crashpoints job.json`` is the
entry :func:`run` uses (it calls the function with the job's ``args`` and writes what it
returned). Lesson-specific settings (forced client configs) go in subclasses of
:class:`Producer`/:class:`Consumer` that the job's ``prelude`` imports.
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import confluent_kafka

from .. import procs

CALLS = ("produce", "flush", "send_offsets_to_transaction", "commit_transaction", "commit",
         "consume")
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)

_plan: dict[str, Any] = {"call": None, "after": 0, "wait": 0.0}
_seen: Counter = Counter()


def arm(call: str | None, after: int = 1, wait: float = 0.0) -> None:
    """SIGKILL this process ``wait`` seconds after the ``after``-th return of ``call`` (None:
    never)."""
    if call is not None and call not in CALLS:
        raise ValueError(f"crash point {call!r} is not one of {CALLS}")
    _plan.update(call=call, after=after, wait=wait)
    _seen.clear()


def reached(call: str, count: int = 1) -> None:
    """``call`` returned (``count`` times: records handed out): die here if that is the crash
    point."""
    if call != _plan["call"]:
        return
    _seen[call] += count
    if _seen[call] >= _plan["after"]:
        if _plan["wait"]:
            time.sleep(_plan["wait"])
        os.kill(os.getpid(), KILL)


def crashed(code: int | None) -> bool:
    """Whether an exit code is a SIGKILL's (the crash point, or a kill from outside)."""
    return code == -KILL


def _counted(base: type, call: str) -> Callable[..., Any]:
    """``base.call``, counted as ``call`` once it has returned."""
    original = getattr(base, call)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = original(self, *args, **kwargs)
        reached(call)
        return out

    method.__name__ = call
    method.__doc__ = original.__doc__
    return method


class Producer(confluent_kafka.Producer):
    """confluent-kafka's Producer, its ``produce``, ``flush``, ``send_offsets_to_transaction``
    and ``commit_transaction`` counted."""

    produce = _counted(confluent_kafka.Producer, "produce")
    flush = _counted(confluent_kafka.Producer, "flush")
    send_offsets_to_transaction = _counted(confluent_kafka.Producer,
                                           "send_offsets_to_transaction")
    commit_transaction = _counted(confluent_kafka.Producer, "commit_transaction")


class Consumer(confluent_kafka.Consumer):
    """confluent-kafka's Consumer, its ``commit`` and the records ``poll``/``consume`` hand out
    counted."""

    commit = _counted(confluent_kafka.Consumer, "commit")

    def poll(self, *args: Any, **kwargs: Any) -> Any:
        msg = super().poll(*args, **kwargs)
        if msg is not None and msg.error() is None:
            reached("consume")
        return msg

    def consume(self, *args: Any, **kwargs: Any) -> Any:
        msgs = super().consume(*args, **kwargs)
        good = sum(m.error() is None for m in msgs)
        if good:
            reached("consume", good)
        return msgs


@dataclass
class Job:
    """What a child process was asked to run (:func:`load_job`)."""

    fields: dict[str, Any]  # the job's own fields (:func:`write_job`'s keyword arguments)
    function: Callable[..., Any] | None  # the function compiled from its source, if one was sent


def write_job(folder: Path, name: str, *, function: Callable[..., Any] | None = None,
              prelude: str = "", crash: tuple[str, int] | None = None, wait: float = 0.0,
              **fields: Any) -> Path:
    """Write ``folder/name.json``: ``function``'s source after ``prelude`` (the names it finds
    imported), the crash point, and ``fields`` (JSON) for the child's entry point."""
    folder.mkdir(parents=True, exist_ok=True)
    job: dict[str, Any] = {"fields": fields,
                           "crash": [crash[0], crash[1], wait] if crash else None}
    if function is not None:
        job.update(source_code=prelude + textwrap.dedent(inspect.getsource(function)),
                   function=function.__name__)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(job))
    return path


def load_job(path: str | Path) -> Job:
    """In the child: arm the job's crash point, compile its function (tracebacks name it
    ``<your NAME>``)."""
    job = json.loads(Path(path).read_text())
    if job.get("crash"):
        arm(*job["crash"])
    function = None
    if "source_code" in job:
        namespace: dict[str, Any] = {}
        exec(compile(job["source_code"], f"<your {job['function']}>", "exec"),  # noqa: S102
             namespace)
        function = namespace[job["function"]]
    return Job(job["fields"], function)


def start(job: Path, module: str = __name__, log: Path | None = None) -> procs.Child:
    """``python -m module job`` (its output appended to ``log``, default beside the job), as a
    child that dies with this process."""
    return procs.Child([sys.executable, "-m", module, str(job)], log or job.with_suffix(".log"),
                       job.parent)


@dataclass
class Outcome:
    """How one process running the function ended."""

    returned: Any  # what the function returned (None: it did not return)
    crashed: bool  # SIGKILLed at its crash point, before returning
    error: str = field(default="")  # the end of its log when it failed otherwise

    def describe(self) -> str:
        if self.crashed:
            return "killed at its crash point"
        if self.returned is not None:
            return f"returned {self.returned}"
        return f"failed:\n{self.error}"


def run(function: Callable[..., Any], args: list[Any], folder: Path, *, prelude: str = "",
        crash: tuple[str, int] | None = None, wait: float = 0.0,
        timeout: float = 60.0) -> Outcome:
    """Run ``function(*args)`` (JSON arguments; its source after ``prelude``) in a fresh process,
    SIGKILLed right after its crash point; wait for it to end (SIGKILL it after ``timeout``)."""
    name = f"{function.__name__}-{uuid.uuid4().hex[:8]}"
    result = folder / f"{name}.result"
    job = write_job(folder, name, function=function, prelude=prelude, crash=crash, wait=wait,
                    args=args, result=str(result))
    child = start(job)
    try:
        code = child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        return Outcome(None, False, f"still running after {timeout:.0f} s\n"
                       + child.log_tail(1500))
    returned = json.loads(result.read_text())["returned"] if result.exists() else None
    died = crashed(code) and returned is None
    return Outcome(returned, died, "" if returned is not None or died else child.log_tail(1500))


def main(path: str) -> None:
    """The child :func:`run` starts: call the job's function with its ``args``, write what it
    returned to its ``result`` file."""
    job = load_job(path)
    assert job.function is not None, "a job for this entry point carries a function"
    returned = job.function(*job.fields["args"])
    Path(job.fields["result"]).write_text(json.dumps({"returned": returned}))


if __name__ == "__main__":
    # the module the function's prelude imports holds the crash plan, not this __main__ copy
    from kafkalab.clients.crashpoints import main as _main

    _main(sys.argv[1])
