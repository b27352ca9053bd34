"""Exercise 1's harness: run a ``fraud_check`` function from the notebook in a fresh process,
SIGKILLed at a chosen point, then again in another fresh process, as a restarted service is.

A crash point is ``(kind, n)``: the process SIGKILLs itself right after the n-th

* ``"commit"``: return of ``Consumer.commit`` (an offset committed: was its output safe before?);
* ``"flush"``: return of ``Producer.flush`` (outputs acknowledged, offsets not yet committed:
  does the restarted service route those orders again?);
* ``"consume"``: record handed to the function by ``poll``/``consume``, after waiting
  :data:`AUTO_COMMIT_WAIT_S` (an auto-committing consumer commits that record's offset in the
  meantime, although the record was never processed).

The ``Consumer`` and ``Producer`` the function gets are confluent-kafka's, with three settings
forced so that each crash lands deterministically: ``auto.commit.interval.ms`` 100 (auto-commit,
if on, commits within the wait above), static membership (the restarted process takes the dead
one's partitions at once instead of waiting for its session to expire) and ``linger.ms`` 300 (a
record that was produced but never flushed is still in the process when it dies).
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import confluent_kafka

from ... import procs
from ...clients import committed_offsets, partitions

AUTO_COMMIT_WAIT_S = 1.0
CRASH_KINDS = ("commit", "flush", "consume")
PARAMETERS = ("config", "group_id", "source", "passed", "review", "limit", "max_messages")
# What the function finds imported in its process: the notebook's setup imports that matter.
PRELUDE = ("import json\nimport time\nimport uuid\nfrom collections import Counter\n"
           "from confluent_kafka import KafkaError, KafkaException, TopicPartition\n"
           "from kafkalab.lessons.shop.exercises import read_all\n"
           "from kafkalab.lessons.shop.fraudrun import Consumer, Producer\n")

_plan: dict[str, Any] = {"kind": None, "after": 0}
_seen: Counter = Counter()


def arm(kind: str | None, after: int) -> None:
    """SIGKILL this process right after the ``after``-th ``kind`` (None: never)."""
    if kind is not None and kind not in CRASH_KINDS:
        raise ValueError(f"crash kind {kind!r} is not one of {CRASH_KINDS}")
    _plan.update(kind=kind, after=after)
    _seen.clear()


def _happened(kind: str, count: int = 1) -> None:
    if kind != _plan["kind"]:
        return
    _seen[kind] += count
    if _seen[kind] >= _plan["after"]:
        if kind == "consume":
            time.sleep(AUTO_COMMIT_WAIT_S)
        os.kill(os.getpid(), signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)


class Producer(confluent_kafka.Producer):
    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__({**config, "linger.ms": 300}, *args, **kwargs)

    def flush(self, *args: Any, **kwargs: Any) -> Any:
        out = super().flush(*args, **kwargs)
        _happened("flush")
        return out


class Consumer(confluent_kafka.Consumer):
    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        static = {"group.instance.id": f"{config['group.id']}-fraud-check"} \
            if "group.id" in config else {}
        super().__init__({**config, "auto.commit.interval.ms": 100, "session.timeout.ms": 6000,
                          "heartbeat.interval.ms": 1000, **static}, *args, **kwargs)

    def commit(self, *args: Any, **kwargs: Any) -> Any:
        out = super().commit(*args, **kwargs)
        _happened("commit")
        return out

    def poll(self, *args: Any, **kwargs: Any) -> Any:
        msg = super().poll(*args, **kwargs)
        if msg is not None and msg.error() is None:
            _happened("consume")
        return msg

    def consume(self, *args: Any, **kwargs: Any) -> Any:
        msgs = super().consume(*args, **kwargs)
        good = sum(m.error() is None for m in msgs)
        if good:
            _happened("consume", good)
        return msgs


def check_signature(function: Any) -> None:
    """Raise TypeError, in one sentence, unless ``function`` takes fraud_check's parameters."""
    if not callable(function):
        raise TypeError(f"fraud_check must be a function, not {type(function).__name__}.")
    names = tuple(inspect.signature(function).parameters)
    if names[:len(PARAMETERS)] != PARAMETERS:
        raise TypeError(f"fraud_check must take ({', '.join(PARAMETERS)}, timeout), yours takes "
                        f"({', '.join(names)}).")


@dataclass
class Call:
    """How one process running the function ended."""

    returned: int | None  # what the function returned (None: it did not return)
    crashed: bool  # SIGKILLed at its crash point
    error: str  # the end of its log when it failed otherwise

    def describe(self) -> str:
        if self.crashed:
            return "killed at its crash point"
        if self.returned is not None:
            return f"returned {self.returned}"
        return f"failed:\n{self.error}"


def run_in_process(function: Callable[..., Any], args: list[Any], folder: Path,
                   crash: tuple[str, int] | None = None, timeout: float = 60.0) -> Call:
    """Run ``function(*args)`` in a fresh Python process (its source plus :data:`PRELUDE`),
    SIGKILLed right after its crash point; wait for it to end."""
    check_signature(function)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"fraud-{uuid.uuid4().hex[:8]}"
    spec_file, result, log = (folder / f"{name}{ext}" for ext in (".json", ".result", ".log"))
    spec_file.write_text(json.dumps({
        "source_code": PRELUDE + textwrap.dedent(inspect.getsource(function)),
        "function": function.__name__, "args": args, "crash": list(crash) if crash else None,
        "result": str(result)}))
    child = procs.Child([sys.executable, "-m", "kafkalab.lessons.shop.fraudrun", str(spec_file)],
                        log, folder)
    try:
        code = child.wait(timeout)
    except Exception:
        child.kill()
        return Call(None, False, f"still running after {timeout:.0f} s\n" + child.log_tail(1500))
    crashed = code == -getattr(signal, "SIGKILL", signal.SIGTERM)
    returned = json.loads(result.read_text())["returned"] if result.exists() else None
    return Call(returned, crashed and returned is None,
                "" if returned is not None or crashed else child.log_tail(1500))


def committed_total(config: dict[str, Any], group_id: str, topic: str,
                    timeout: float = 30.0) -> int:
    """How many records of ``topic`` the group has committed (the sum of its offsets), asked
    again while the group's coordinator moves (NOT_COORDINATOR after a broker came back and
    took its partitions' leadership back: the lesson killed one before its exercises)."""
    consumer = confluent_kafka.Consumer({**config, "group.id": group_id,
                                         "enable.auto.commit": False, "log_level": 0})
    try:
        parts = [confluent_kafka.TopicPartition(topic, p) for p in partitions(consumer, topic)]
        return sum(tp.offset for tp in committed_offsets(consumer, parts, timeout, default=0))
    finally:
        consumer.close()


def main(spec_path: str) -> None:
    """The process: ``python -m kafkalab.lessons.shop.fraudrun spec.json``."""
    spec = json.loads(Path(spec_path).read_text())
    if spec.get("crash"):
        arm(*spec["crash"])
    namespace: dict[str, Any] = {}
    exec(compile(spec["source_code"], "<your fraud_check>", "exec"), namespace)  # noqa: S102
    returned = namespace[spec["function"]](*spec["args"])
    Path(spec["result"]).write_text(json.dumps({"returned": returned}))


if __name__ == "__main__":
    # the module the function's prelude imports, not this __main__ copy, holds the crash plan
    from kafkalab.lessons.shop.fraudrun import main as _main

    _main(sys.argv[1])
