"""Waiting: :func:`wait_until` a predicate holds, and :func:`group_settled`, the predicate of a
consumer group whose assignment is complete."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, what: str,
               interval: float = 0.05) -> T:
    """Call ``predicate`` every ``interval`` seconds until it returns something true, and
    return that. Raises ``TimeoutError`` ("... waiting for <what>") after ``timeout`` seconds;
    an exception the predicate raises ends the wait at once (it is how a predicate reports
    that the awaited thing can no longer happen)."""
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout} s waiting for {what}")
        time.sleep(interval)


def group_settled(assigned: dict[Any, int], members: int, partitions: int) -> bool:
    """Whether a group's assignment is complete: ``assigned`` (member -> partitions it owns,
    kept up to date by on_assign/on_revoke callbacks) has every member, every partition is
    owned, and as many members as there are partitions to go round own one."""
    counts = list(assigned.values())
    return (len(counts) == members and sum(counts) == partitions
            and sum(1 for n in counts if n > 0) == min(members, partitions))
