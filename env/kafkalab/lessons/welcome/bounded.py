"""A student's function called with a time bound (exercise 2's graded test): a call that never
returns must fail its test, not hang the notebook."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class NotReturned(Exception):
    """The call had not returned within its time bound."""


def call_within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a daemon thread; its result (or its exception) if it returns within
    ``seconds``, else :class:`NotReturned` (the thread is left behind, never joined: it dies with
    the kernel)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = function(*args)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="call-within")
    thread.start()
    thread.join(seconds)
    if "error" in box:
        raise box["error"]
    if "result" not in box:
        raise NotReturned(f"{getattr(function, '__name__', 'the call')} had not returned after "
                          f"{seconds:g} s")
    return box["result"]
