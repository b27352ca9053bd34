"""The idempotent producer against a network that loses a response or repeats a request."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...clients import FaultProxy, ProxyStats, ReplayAnswer, produce
from .reading import read_to_end

if TYPE_CHECKING:
    from ...cluster import Cluster


@dataclass
class ProxyRun:
    topic: str
    fault: str  # "drop" (first produce response lost) or "replay" (first request sent twice)
    idempotent: bool
    sent: int  # records the producer was asked to send
    acknowledged: int  # delivery reports without error
    in_log: int  # records in the topic afterwards
    duplicates: int  # records in the log more than once (extra copies)
    produce_requests: int
    dropped_responses: int
    replayed: int
    replay_answers: list[ReplayAnswer] = field(default_factory=list)


def through_proxy(cluster: Cluster, fault: str, idempotent: bool, records: int = 100,
                  topic: str | None = None) -> ProxyRun:
    """Produce ``records`` numbered records through a :class:`FaultProxy` that drops the first
    produce response (``fault="drop"``) or replays the first produce request
    (``fault="replay"``), then read the topic and count the copies."""
    if fault not in ("drop", "replay"):
        raise ValueError("fault must be 'drop' or 'replay'")
    topic = topic or cluster.create_topic(prefix=f"{fault}-{'idem' if idempotent else 'plain'}")
    with FaultProxy(cluster, drop_responses=int(fault == "drop"),
                    replay=int(fault == "replay"), lifetime=120) as proxy:
        conf = {**cluster.producer_config(), "bootstrap.servers": proxy.bootstrap_servers,
                "enable.idempotence": idempotent, "linger.ms": 20, "log_level": 0}
        acked = produce(conf, topic, [f"record-{i}" for i in range(records)])
        proxy.settle()
        stats: ProxyStats = proxy.stats
    got = read_to_end(cluster, topic, "read_uncommitted")
    counts = Counter(r.value for r in got)
    return ProxyRun(topic, fault, idempotent, records, len(acked), len(got),
                    sum(c - 1 for c in counts.values()), stats.produce_requests,
                    stats.dropped_responses, stats.replayed, list(stats.replays))
