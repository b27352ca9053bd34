"""Lesson 00's log on disk against a real broker: ``Node.log_dir`` (the public door to a
broker's log directory) holds one folder per partition of segment files, and retention deletes
the rolled first segment within seconds on the course's cluster."""

from __future__ import annotations

import pytest

from kafkalab.clients import produce, wait_until
from kafkalab.lessons import welcome

pytestmark = pytest.mark.integration


def test_log_dir_holds_a_folder_of_segment_files_per_partition(cluster) -> None:
    topic = cluster.create_topic(prefix="disk", partitions=2)
    produce(cluster.producer_config(), topic, ["a", "b", "c"], keys=["k1", "k2", "k3"])
    log_dir = cluster.broker(1).log_dir
    assert log_dir is not None and log_dir.is_dir()
    assert {f"{topic}-0", f"{topic}-1"} <= {p.name for p in log_dir.iterdir()}
    folder = welcome.partition_folder(cluster, topic, 0)
    wanted = {"00000000000000000000.log", "00000000000000000000.index",
              "00000000000000000000.timeindex"}
    # The broker writes a segment's index files a moment after its .log: once, on a busy CI
    # machine, the folder held only the .log right after the produce returned.
    files = wait_until(lambda: (fs := welcome.segment_files(folder))
                       and wanted <= {f.name for f in fs} and fs, timeout=10,
                       what=f"{sorted(wanted)} in {folder}")
    sizes = {f.name: f.size for f in files}
    total = sum(f.size for f in welcome.segment_files(log_dir / f"{topic}-1")
                if f.name.endswith(".log")) + sizes["00000000000000000000.log"]
    assert total > 0  # the three records are in the .log files (page cache or disk)


def test_retention_deletes_the_rolled_segment(cluster) -> None:
    """Only the first segment: both batches one retention check apart (as before the gap) could
    be deleted by the same check, and the log would start after the second batch."""
    run = welcome.retention_run(cluster, records=3, timeout=15)
    assert len({f.base_offset for f in run.files_before if f.name.endswith(".log")}) >= 2, \
        run.files_before  # the second batch was written to a new segment
    assert run.deleted and run.log_start_after == 3, run
    assert "deleted the first segment" in welcome.retention_verdict(run)
