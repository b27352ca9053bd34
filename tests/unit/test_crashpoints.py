"""Crash points without Kafka: a function run in a fresh process dies exactly right after the
n-th return of its crash point's call, leaves no process behind, and is told apart from one that
returned, failed or hung."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from kafkalab.clients import crashpoints

pytestmark = pytest.mark.unit

PRELUDE = "from kafkalab.clients.crashpoints import Producer, reached\n"


def produce_n(marks, n):  # noqa: ANN001, ANN201 - its source runs in the child
    import os
    with open(marks, "a") as out:
        out.write(f"pid {os.getpid()}\n")
        producer = Producer({"bootstrap.servers": "127.0.0.1:9", "log_level": 0})  # noqa: F821
        for i in range(1, n + 1):
            out.write(f"call {i}\n")
            out.flush()
            producer.produce("t", value=str(i))
            out.write(f"returned {i}\n")
            out.flush()
    return n


def count_records(marks, batches):  # noqa: ANN001, ANN201 - a consume that hands out batches
    import time
    with open(marks, "a") as out:
        for i, size in enumerate(batches, 1):
            out.write(f"batch {i} {time.monotonic()}\n")
            out.flush()
            reached("consume", size)  # noqa: F821
    return len(batches)


def spawn_then_crash(marks):  # noqa: ANN001, ANN201 - a grandchild must not outlive the crash
    import sys
    from pathlib import Path

    from kafkalab import procs
    child = procs.Child([sys.executable, "-c", "import time; time.sleep(60)"],
                        Path(marks + ".log"))
    with open(marks, "a") as out:
        out.write(f"grandchild {child.pid}\n")
    reached("commit")  # noqa: F821 - the prelude imports it
    return 0


def fail(marks):  # noqa: ANN001, ANN201
    raise RuntimeError("the function's own error")


def hang(marks):  # noqa: ANN001, ANN201
    import os
    import time
    with open(marks, "a") as out:
        out.write(f"pid {os.getpid()}\n")
    time.sleep(60)


def _marks(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def test_dies_right_after_the_nth_return_and_leaves_nothing(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    out = crashpoints.run(produce_n, [str(marks), 5], tmp_path, prelude=PRELUDE,
                          crash=("produce", 3), timeout=60)
    assert out.crashed and out.returned is None, out.describe()
    lines = _marks(marks)
    # the 3rd produce returned (the crash point), its caller never saw it
    assert lines[1:] == ["call 1", "returned 1", "call 2", "returned 2", "call 3"]
    assert _gone(int(lines[0].split()[1]))


def test_without_a_crash_point_it_returns(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    out = crashpoints.run(produce_n, [str(marks), 3], tmp_path, prelude=PRELUDE, timeout=60)
    assert out == crashpoints.Outcome(3, False, "") and out.describe() == "returned 3"
    assert _marks(marks)[-1] == "returned 3"


def test_records_count_and_the_kill_waits(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    t0 = time.monotonic()
    out = crashpoints.run(count_records, [str(marks), [2, 2, 2, 2]], tmp_path, prelude=PRELUDE,
                          crash=("consume", 5), wait=1.0, timeout=60)
    assert out.crashed
    assert [ln.split()[1] for ln in _marks(marks)] == ["1", "2", "3"]  # 2 + 2 + 2 >= 5
    assert time.monotonic() - t0 >= 1.0


def test_a_process_it_started_dies_with_it(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    out = crashpoints.run(spawn_then_crash, [str(marks)], tmp_path, prelude=PRELUDE,
                          crash=("commit", 1), timeout=60)
    assert out.crashed
    grandchild = int(_marks(marks)[0].split()[1])
    assert _gone(grandchild), "the crashed process's own child outlived it"


def test_failure_and_timeout_are_not_crashes(tmp_path: Path) -> None:
    out = crashpoints.run(fail, [str(tmp_path / "m")], tmp_path, prelude=PRELUDE, timeout=60)
    assert not out.crashed and out.returned is None
    assert "the function's own error" in out.error and "<your fail>" in out.error
    marks = tmp_path / "hang"
    out = crashpoints.run(hang, [str(marks)], tmp_path, prelude=PRELUDE, timeout=3)
    assert not out.crashed and out.error.startswith("still running after 3 s")
    assert _gone(int(_marks(marks)[0].split()[1]))


def test_arm_names_the_calls() -> None:
    with pytest.raises(ValueError, match="not one of"):
        crashpoints.arm("explode", 1)
    crashpoints.arm(None)
    crashpoints.reached("commit")  # not armed: nothing happens
    assert crashpoints.crashed(-9) and not crashpoints.crashed(0)
    assert not crashpoints.crashed(None)
