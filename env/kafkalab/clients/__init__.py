"""The Kafka client idioms the lessons and the shop share, each written once.

Modules: ``producing``, ``reading``, ``offsets``, ``waiting``, ``records``, ``proxy``,
``crashpoints``.

* Producing: :func:`crc32_partition` (where a key goes), :func:`send` one record (waiting
  while the client's queue is full), :func:`produce_all` many on a producer you own,
  :func:`produce` with a producer of its own that returns what was acknowledged,
  :class:`AckedPublisher` for asyncio code (await the broker's acknowledgement).
* Reading: :func:`consume` (a bounded group read), :func:`read_to_end` (every record the topics
  hold now, no group), :func:`to_record`.
* Offsets: :func:`watermarks`, :func:`log_offsets`, :func:`end_offsets`,
  :func:`group_offsets`, :func:`group_lag`, :func:`committed_offsets`.
* Groups: :func:`group_settled` (every partition owned, every member busy that can be).
* Waiting: :func:`wait_until` (poll a predicate until it holds or a deadline passes).
* Crash points (``from kafkalab.clients import crashpoints``, not re-exported: its ``Producer``
  and ``Consumer`` are counted versions of confluent-kafka's): run a function in a fresh process
  that SIGKILLs itself right after the n-th return of a chosen client call.
* Faults on the wire: :class:`FaultProxy`, a loopback TCP proxy in front of every broker (of a
  plaintext cluster) that drops the first produce responses or replays the first produce
  requests, so a lesson can make a retry happen on purpose instead of waiting for a race.

Every loop is bounded by a count and a deadline (nbgrader interrupts a cell after its timeout).
"""

from .offsets import (
    committed_offsets,
    end_offsets,
    group_lag,
    group_offsets,
    log_offsets,
    partitions,
    watermarks,
)
from .producing import AckedPublisher, crc32_partition, produce, produce_all, send
from .proxy import FaultProxy, ProxyStats, ReplayAnswer
from .reading import consume, read_to_end
from .records import Record, to_record
from .waiting import group_settled, wait_until

__all__ = [
    "AckedPublisher",
    "FaultProxy",
    "ProxyStats",
    "Record",
    "ReplayAnswer",
    "committed_offsets",
    "consume",
    "crc32_partition",
    "end_offsets",
    "group_lag",
    "group_offsets",
    "group_settled",
    "log_offsets",
    "partitions",
    "produce",
    "produce_all",
    "read_to_end",
    "send",
    "to_record",
    "wait_until",
    "watermarks",
]
