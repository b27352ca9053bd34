"""The exercises' visible self-checks: what the graded tests need of types, shapes and counts,
said in one sentence each, without saying what the graded tests compare."""

from __future__ import annotations

from typing import Any


def _problem_placed(placed: Any, n: int, partitions: int) -> str | None:
    if not isinstance(placed, dict):
        return f"produce_keyed should return a dict, not {type(placed).__name__}."
    bad_keys = [k for k in placed if not isinstance(k, str)]
    if bad_keys:
        return (f"the keys must be str like 'user-0', not {type(bad_keys[0]).__name__} "
                f"({bad_keys[0]!r}): decode bytes with .decode().")
    expected = {f"user-{i}" for i in range(n)}
    if set(placed) != expected:
        missing, extra = sorted(expected - set(placed)), sorted(set(placed) - expected)
        return (f"expected the {n} keys user-0 .. user-{n - 1}; missing {missing[:3]}, "
                f"unexpected {extra[:3]} (did you wait for every acknowledgement?).")
    for key, where in placed.items():
        if not (isinstance(where, tuple) and len(where) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in where)):
            return (f"each value must be a tuple (partition, offset) of two ints; "
                    f"{key!r} maps to {where!r}.")
        partition, offset = where
        if not 0 <= partition < partitions or offset < 0:
            return (f"{key!r} maps to {where!r}: not a partition of a {partitions}-partition "
                    "topic and an offset the broker acknowledged.")
    return None


def check_placed(placed: Any, n: int, partitions: int) -> str:
    """Exercise 1's self-check: raise AssertionError with one sentence, else say "ok"."""
    problem = _problem_placed(placed, n, partitions)
    assert problem is None, problem
    return f"ok: {n} keys, each with a (partition, offset) pair"


def _problem_read(read: Any, offset: int, max_messages: int) -> str | None:
    if not isinstance(read, list):
        return f"read_from should return a list, not {type(read).__name__}."
    if not read:
        return "read_from returned nothing: is the consumer placed at the offset, and polled?"
    if len(read) > max_messages:
        return f"read_from returned {len(read)} pairs, more than max_messages={max_messages}."
    for item in read:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int)
                and not isinstance(item[0], bool) and isinstance(item[1], str)):
            return (f"each item must be a tuple (offset, value) of an int and a str "
                    f"(decode the value's bytes); got {item!r}.")
    if read[0][0] != offset:
        return f"the first pair is at offset {read[0][0]}, not at {offset}."
    offsets = [o for o, _ in read]
    if offsets != list(range(offset, offset + len(read))):
        return "the offsets of one partition should follow each other without gaps or repeats."
    return None


def check_read(read: Any, offset: int, max_messages: int) -> str:
    """Exercise 2's self-check: raise AssertionError with one sentence, else say "ok"."""
    problem = _problem_read(read, offset, max_messages)
    assert problem is None, problem
    return f"ok: {len(read)} (offset, value) pairs from offset {offset}"
