"""Lesson 00 support: the log on the broker's disk, and the exercises' self-checks.

Modules: ``disk`` (a partition's folder of segment files in the broker's log directory,
:func:`segment_files`, and :func:`retention_run`, old segments deleted by retention, with
:func:`retention_verdict`), ``checks`` (the visible self-checks of the two exercises: the
types, shapes and counts the graded tests need, one sentence each), ``bounded``
(:func:`call_within`: a student's function called with a time bound, for a graded test).
"""

from .bounded import NotReturned, call_within
from .checks import check_placed, check_read
from .disk import (
    NO_DISK,
    RetentionRun,
    SegmentFile,
    partition_folder,
    retention_run,
    retention_verdict,
    segment_files,
    segment_table,
)

__all__ = [
    "NO_DISK",
    "NotReturned",
    "RetentionRun",
    "SegmentFile",
    "call_within",
    "check_placed",
    "check_read",
    "partition_folder",
    "retention_run",
    "retention_verdict",
    "segment_files",
    "segment_table",
]
