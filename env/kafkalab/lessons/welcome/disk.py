"""The log on the broker's disk: a partition is a folder of segment files in the broker's log
directory, and retention deletes whole old segments.

:func:`partition_folder` finds the folder through the public Cluster API (the leader's
``Node.log_dir``; None when the broker's disk is not this machine's), :func:`segment_files`
lists it, :func:`retention_run` makes a topic whose first segment is rolled and then deleted by
retention, and :func:`retention_verdict` says what that run showed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ...clients import log_offsets, produce
from ...cluster import Cluster

if TYPE_CHECKING:
    import pandas as pd

NO_DISK = ("This cluster's disks are not on this machine (an external or Docker cluster), so "
           "its segment files cannot be listed from here; the offsets below are still measured.")

KINDS = {".log": "the records", ".index": "offset -> byte position",
         ".timeindex": "timestamp -> offset", ".snapshot": "producer state",
         ".deleted": "deleted by retention, removed from disk shortly"}


@dataclass(frozen=True)
class SegmentFile:
    """One file of a partition's folder; ``base_offset`` is the first offset its segment holds
    (the 20-digit file name)."""

    name: str
    base_offset: int | None
    size: int
    kind: str


def partition_folder(cluster: Cluster, topic: str, partition: int = 0) -> Path | None:
    """The folder ``<log dir>/<topic>-<partition>`` on the partition leader's disk, or None
    when that disk is not this machine's."""
    try:
        log_dir = cluster.broker(cluster.leader(topic, partition)).log_dir
    except KeyError:  # an external cluster's broker ids are not the course's
        return None
    return None if log_dir is None else log_dir / f"{topic}-{partition}"


def segment_files(folder: Path) -> list[SegmentFile]:
    """The segment files in ``folder`` (empty when it does not exist), by base offset."""
    out = []
    for f in sorted(folder.iterdir()) if folder.is_dir() else []:
        stem = f.name.split(".")[0]
        suffix = next((s for s in (".deleted", ".timeindex", ".index", ".log", ".snapshot")
                       if f.name.endswith(s)), "")
        if not suffix:
            continue  # partition.metadata, leader-epoch-checkpoint: not segments
        try:
            size = f.stat().st_size
        except FileNotFoundError:  # removed by the broker while we looked
            continue
        out.append(SegmentFile(f.name, int(stem) if stem.isdigit() else None, size,
                               KINDS[suffix]))
    return out


def segment_table(files: list[SegmentFile]) -> pd.DataFrame:
    import pandas as pd  # here, not at import: 0.4 s of every grading kernel's start-up

    return pd.DataFrame([{"file": f.name, "first offset": f.base_offset, "bytes": f.size,
                          "holds": f.kind} for f in files])


@dataclass
class RetentionRun:
    """What :func:`retention_run` measured: the log start offset before and after, the
    seconds retention took (None: not within the timeout), and the folder at both times
    (empty lists when the disk is not this machine's)."""

    topic: str
    records: int
    log_start_before: int
    log_start_after: int
    log_end: int
    waited_s: float | None
    timeout_s: float
    files_before: list[SegmentFile] = field(default_factory=list)
    files_after: list[SegmentFile] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.log_start_after > self.log_start_before


def retention_run(cluster: Cluster, records: int = 5, segment_ms: int = 200,
                  retention_ms: int = 2000, timeout: float = 10.0,
                  gap_s: float = 1.2) -> RetentionRun:
    """Produce ``records`` records, wait ``gap_s`` (longer than ``segment_ms``), produce as many
    again (the broker then rolls a new segment), and wait until retention (``retention_ms``)
    has deleted the first segment or ``timeout`` passed.

    The timing matters because retention also deletes the *active* segment once all of it is
    older than ``retention_ms``, and the broker checks once per
    ``log.retention.check.interval.ms`` (1 s on the course's clusters). ``gap_s`` shorter than
    ``retention_ms``: the second batch arrives before the first segment expires (else that one
    is deleted alone, before any roll). ``gap_s`` longer than one check: the first check that
    finds the first segment expired finds the second one still young, so it deletes only the
    first, and the watch below sees the log start at the second batch."""
    if not segment_ms / 1000 < gap_s < retention_ms / 1000:
        raise ValueError(f"gap_s={gap_s} must lie between segment.ms ({segment_ms} ms) and "
                         f"retention.ms ({retention_ms} ms)")
    topic = cluster.create_topic(prefix="retention", partitions=1, config={
        "segment.ms": str(segment_ms), "retention.ms": str(retention_ms)})
    produce(cluster.producer_config(), topic, [f"old-{i}" for i in range(records)])
    time.sleep(gap_s)
    produce(cluster.producer_config(), topic, [f"new-{i}" for i in range(records)])
    folder = partition_folder(cluster, topic)
    before = segment_files(folder) if folder is not None else []
    start, end = log_offsets(cluster.client_config(), topic)[0]
    t0 = time.monotonic()
    waited, now_start = None, start
    while time.monotonic() - t0 < timeout:
        now_start = log_offsets(cluster.client_config(), topic)[0][0]
        if now_start > start:
            waited = time.monotonic() - t0
            break
        time.sleep(0.2)
    after = segment_files(folder) if folder is not None else []
    return RetentionRun(topic, records, start, now_start, end, waited, timeout, before, after)


def retention_verdict(run: RetentionRun) -> str:
    """What the run showed, in one or two sentences that follow the measurement."""
    if not run.deleted:
        return (f"Within {run.timeout_s:.0f} s retention did not delete the first segment "
                f"(the log still starts at offset {run.log_start_after}): this cluster checks "
                "retention less often (log.retention.check.interval.ms, 5 minutes by default), "
                "so old records stay longer than retention.ms says.")
    gone = run.log_start_after - run.log_start_before
    text = (f"Retention deleted the first segment {run.waited_s:.1f} s after the roll: the log "
            f"now starts at offset {run.log_start_after} (it ended at {run.log_end}), so the "
            f"{gone} oldest records are gone for every consumer, whether it read them or not.")
    renamed = [f.name for f in run.files_after if f.name.endswith(".deleted")]
    if renamed:
        text += (f" On disk the old segment's files were renamed ({', '.join(renamed[:3])}) "
                 "and are removed a minute later (file.delete.delay.ms).")
    return text
