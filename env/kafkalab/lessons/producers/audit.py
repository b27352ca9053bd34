"""What one producer sent and was told (:class:`Stream`) against what its topic holds
(:class:`Audit`, :func:`audit`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from ...clients import read_to_end
from ...cluster import Cluster


@dataclass
class Stream:
    """One producer's side of the experiment: what it sent and what it was told."""

    name: str
    topic: str
    config: dict[str, Any]
    sent: int = 0
    acked: dict[int, int] = field(default_factory=dict)  # record id -> offset reported
    failed: dict[int, str] = field(default_factory=dict)  # record id -> error
    latencies: list[float] = field(default_factory=list)
    producer: Producer | None = None

    def report(self, err: KafkaError | None, msg: Message) -> None:
        rid = int(msg.value())
        if err is not None:
            self.failed[rid] = err.name()
        else:
            # With acks=0 the broker never answers: librdkafka reports no offset (None) or, in a
            # large batch, one it made up by counting up from an invalid base. The audit checks
            # every reported offset against the log (wrong_offset).
            offset = msg.offset()
            self.acked[rid] = -1 if offset is None else offset
            self.latencies.append(msg.latency())


@dataclass
class Audit:
    """What the topic holds compared with what the producer was told."""

    name: str
    sent: int
    acked: int
    failed: int
    unreported: int
    lost: int  # acknowledged, yet not in the log
    duplicated: int  # extra copies in the log
    reordered: int  # records stored after a record with a higher id
    no_offset: int  # delivery reports without an offset (acks=0: no answer from the broker)
    wrong_offset: int  # reports (with no offset or a made-up one) not where the record is
    p50_ms: float
    p99_ms: float

    def as_row(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return 1000 * s[min(len(s) - 1, int(q * len(s)))]


def audit(cluster: Cluster, stream: Stream, timeout: float = 60.0) -> Audit:
    """Read the whole topic back and compare it with the delivery reports."""
    log = read_to_end(cluster.client_config(), stream.topic, timeout)
    ids = [int(m.value()) for m in log]
    where: dict[int, set[int]] = {}
    for m in log:
        where.setdefault(int(m.value()), set()).add(m.offset())
    seen = Counter(ids)
    high, reordered = -1, 0
    for rid in ids:
        reordered += rid < high
        high = max(high, rid)
    return Audit(stream.name, stream.sent, len(stream.acked), len(stream.failed),
                 stream.sent - len(stream.acked) - len(stream.failed),
                 sum(1 for rid in stream.acked if rid not in seen),
                 sum(c - 1 for c in seen.values()), reordered,
                 sum(1 for o in stream.acked.values() if o < 0),
                 sum(1 for rid, o in stream.acked.items() if rid in where and o not in where[rid]),
                 _pct(stream.latencies, 0.5), _pct(stream.latencies, 0.99))
