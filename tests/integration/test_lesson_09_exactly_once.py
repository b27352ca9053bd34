"""Lesson 09 on a real cluster: the proxy's faults make a plain producer duplicate and an
idempotent one not, every time; a zombie is fenced; read_committed never sees an aborted record
across 20 random kills of the transactional copier."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest

from kafkalab.clients import produce
from kafkalab.lessons.exactly_once import fencing, read_to_end, start_copier, through_proxy

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("fault", ["drop", "replay"])
def test_proxy_plain_duplicates_idempotent_does_not(cluster, fault: str) -> None:
    for _ in range(3):
        plain = through_proxy(cluster, fault, idempotent=False, records=30)
        idem = through_proxy(cluster, fault, idempotent=True, records=30)
        assert plain.acknowledged == idem.acknowledged == 30
        assert plain.duplicates == 30, plain  # the whole first batch written twice
        assert idem.duplicates == 0 and idem.in_log == 30, idem


def test_fencing(cluster) -> None:
    result = fencing(cluster)
    assert result.epoch_after > result.epoch_before
    assert result.error_name == "_FENCED" and result.fatal
    assert result.seen_committed == ["from the new instance"]


def test_read_committed_never_sees_aborted_records(cluster, tmp_path: Path) -> None:
    """12 SIGKILLs of the copier at random moments, each followed by a restart with the same
    transactional.id; what read_committed sees is the input, exactly once."""
    rng = random.Random(9)
    source = cluster.create_topic(prefix="in", partitions=2)
    sink = cluster.create_topic(prefix="out", partitions=2)
    total = 0
    for i in range(12):
        produce(cluster.producer_config(), source, [f"v{j}" for j in range(total, total + 20)],
                keys=[f"k{j % 3}" for j in range(total, total + 20)])
        total += 20
        copier = start_copier(cluster, tmp_path, f"c{i}", source, sink, "g", "t",
                              per_transaction=5, hold=0.05)
        copier.wait_for(lambda s: len(s) > 0, 30)  # it is copying
        time.sleep(rng.uniform(0, 0.4))
        copier.kill()
        seen = read_to_end(cluster, sink, "read_committed")
        counts = Counter(r.value for r in seen)
        assert all(c == 1 for c in counts.values()), f"kill {i}: duplicates in {counts}"
    final = start_copier(cluster, tmp_path, "final", source, sink, "g", "t")
    deadline = time.monotonic() + 60
    while len(read_to_end(cluster, sink, "read_committed")) < total:
        assert time.monotonic() < deadline and final.alive(), final.error()
        time.sleep(0.3)
    final.stop()
    committed = read_to_end(cluster, sink, "read_committed")
    uncommitted = read_to_end(cluster, sink, "read_uncommitted")
    assert sorted(r.value for r in committed) == sorted(f"v{j}" for j in range(total))
    assert len(uncommitted) > len(committed), "no kill landed inside a transaction"
