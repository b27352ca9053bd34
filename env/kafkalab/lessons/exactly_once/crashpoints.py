"""Crash points: the ``Producer`` and ``Consumer`` a copier process under test gets are
confluent-kafka's own, except that the process SIGKILLs itself right after the n-th return of
one chosen call (``commit``, ``flush``, ``commit_transaction``, ...). A crash right after each
kind of call is a moment where a copier that commits its progress in the wrong place loses or
repeats records; the grader picks the call and n at random for each run."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from typing import Any

import confluent_kafka

KINDS = ("commit", "commit_transaction", "send_offsets_to_transaction", "flush", "produce",
         "consume")
_plan: dict[str, Any] = {"kind": None, "after": 0, "wait": 0.0}
_seen: Counter = Counter()


def arm(kind: str | None, after: int, wait: float = 0.0) -> None:
    """SIGKILL this process ``wait`` seconds after the ``after``-th return of ``kind`` (None:
    never). While it waits, a consumer's background auto-commit still runs."""
    _plan.update(kind=kind, after=after, wait=wait)
    _seen.clear()


def _returned(kind: str) -> None:
    if kind == _plan["kind"]:
        _seen[kind] += 1
        if _seen[kind] >= _plan["after"]:
            if _plan["wait"]:
                time.sleep(_plan["wait"])
            os.kill(os.getpid(), signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)


class Producer(confluent_kafka.Producer):
    def produce(self, *args: Any, **kwargs: Any) -> Any:
        out = super().produce(*args, **kwargs)
        _returned("produce")
        return out

    def flush(self, *args: Any, **kwargs: Any) -> Any:
        out = super().flush(*args, **kwargs)
        _returned("flush")
        return out

    def send_offsets_to_transaction(self, *args: Any, **kwargs: Any) -> Any:
        out = super().send_offsets_to_transaction(*args, **kwargs)
        _returned("send_offsets_to_transaction")
        return out

    def commit_transaction(self, *args: Any, **kwargs: Any) -> Any:
        out = super().commit_transaction(*args, **kwargs)
        _returned("commit_transaction")
        return out


class Consumer(confluent_kafka.Consumer):
    def commit(self, *args: Any, **kwargs: Any) -> Any:
        out = super().commit(*args, **kwargs)
        _returned("commit")
        return out

    def consume(self, *args: Any, **kwargs: Any) -> Any:
        out = super().consume(*args, **kwargs)
        if out:
            _returned("consume")
        return out

    def poll(self, *args: Any, **kwargs: Any) -> Any:
        out = super().poll(*args, **kwargs)
        if out is not None:
            _returned("consume")
        return out
