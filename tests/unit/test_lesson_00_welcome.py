"""Lesson 00 without Kafka: the exercises' self-checks catch every type, shape and count the
graded tests need; the retention verdict follows the measurement; the segment listing; and a
cluster whose disks are elsewhere has no log dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafkalab.backends.external import ExternalBackend
from kafkalab.cluster import Cluster
from kafkalab.lessons import welcome
from kafkalab.lessons.welcome.disk import RetentionRun, SegmentFile

pytestmark = pytest.mark.unit

GOOD = {f"user-{i}": (i % 3, i // 3) for i in range(5)}


def test_check_placed_accepts_the_right_shape() -> None:
    assert welcome.check_placed(GOOD, 5, 3).startswith("ok")


@pytest.mark.parametrize("placed, needle", [
    ([("user-0", (0, 0))], "return a dict"),
    ({f"user-{i}".encode(): w for i, w in enumerate(GOOD.values())}, "must be str"),
    ({k: w for k, w in list(GOOD.items())[:4]}, "missing ['user-4']"),
    ({**GOOD, "user-9": (0, 9)}, "unexpected ['user-9']"),
    ({k: list(w) for k, w in GOOD.items()}, "tuple (partition, offset)"),
    ({k: (str(p), o) for k, (p, o) in GOOD.items()}, "tuple (partition, offset)"),
    ({k: (p, o, 0) for k, (p, o) in GOOD.items()}, "tuple (partition, offset)"),
    ({**GOOD, "user-0": (3, 0)}, "not a partition"),
    ({**GOOD, "user-0": (0, -1)}, "acknowledged"),
])
def test_check_placed_names_each_problem(placed: object, needle: str) -> None:
    with pytest.raises(AssertionError) as err:
        welcome.check_placed(placed, 5, 3)
    assert needle in str(err.value)


def test_check_read_accepts_the_right_shape() -> None:
    assert welcome.check_read([(3, "a"), (4, "b")], 3, 5).startswith("ok")


@pytest.mark.parametrize("read, needle", [
    ((3, "a"), "return a list"),
    ([], "returned nothing"),
    ([(3, "a"), (4, "b"), (5, "c")], "more than max_messages"),
    ([(3, b"a")], "decode"),
    ([[3, "a"]], "tuple (offset, value)"),
    ([(2, "a")], "not at 3"),
    ([(3, "a"), (5, "b")], "without gaps"),
])
def test_check_read_names_each_problem(read: object, needle: str) -> None:
    with pytest.raises(AssertionError) as err:
        welcome.check_read(read, 3, 2)
    assert needle in str(err.value)


def test_segment_files_lists_segments_by_base_offset(tmp_path: Path) -> None:
    for name in ("00000000000000000000.log", "00000000000000000000.index",
                 "00000000000000000000.timeindex", "00000000000000000005.log",
                 "00000000000000000000.log.deleted", "leader-epoch-checkpoint",
                 "partition.metadata"):
        (tmp_path / name).write_bytes(b"x" * 3)
    files = welcome.segment_files(tmp_path)
    assert [f.base_offset for f in files] == [0, 0, 0, 0, 5]
    deleted = {f.kind for f in files if f.name.endswith(".deleted")}
    assert deleted == {welcome.disk.KINDS[".deleted"]}
    assert welcome.segment_files(tmp_path / "missing") == []
    assert list(welcome.segment_table(files).columns) == ["file", "first offset", "bytes",
                                                           "holds"]


def _run(after: int, waited: float | None, files_after: list[SegmentFile]) -> RetentionRun:
    return RetentionRun("t", 5, 0, after, 10, waited, 10.0, [], files_after)


def test_retention_verdict_follows_the_measurement() -> None:
    kept = welcome.retention_verdict(_run(0, None, []))
    assert "did not delete" in kept and "log.retention.check.interval.ms" in kept
    deleted = welcome.retention_verdict(_run(5, 1.4, []))
    assert "deleted the first segment 1.4 s" in deleted and "starts at offset 5" in deleted
    assert "renamed" not in deleted
    renamed = welcome.retention_verdict(
        _run(5, 1.4, [SegmentFile("00000000000000000000.log.deleted", 0, 9, "")]))
    assert "renamed (00000000000000000000.log.deleted)" in renamed


def test_an_external_cluster_has_no_log_dir() -> None:
    cluster = Cluster(ExternalBackend("127.0.0.1:1"), brokers=1, mode="kraft", owned=False)
    assert cluster.broker(1).log_dir is None


@pytest.mark.parametrize("gap_s", [0.1, 2.0, 3.0])
def test_retention_run_refuses_a_gap_that_would_not_show_one_segment_deleted(
        gap_s: float) -> None:
    """At or below segment.ms no new segment is rolled; at or above retention.ms the first
    segment expires before the second batch arrives."""
    with pytest.raises(ValueError, match="gap_s"):
        welcome.retention_run(None, segment_ms=200, retention_ms=2000, gap_s=gap_s)  # type: ignore[arg-type]


def test_call_within_returns_raises_or_gives_up() -> None:
    import threading

    assert welcome.call_within(5, lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(ValueError):
        welcome.call_within(5, int, "not a number")
    never = threading.Event()
    with pytest.raises(welcome.NotReturned):
        welcome.call_within(0.2, never.wait)  # a call that would block forever
    never.set()
