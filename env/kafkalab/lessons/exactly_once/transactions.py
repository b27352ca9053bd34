"""Transactions under failure: a copier SIGKILLed mid-transaction, the coordinator aborting a
transaction that ran past its timeout, a zombie fenced, the coordinator's broker killed."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from confluent_kafka import KafkaException, Producer

from ...clients import produce
from .copier import start_copier
from .reading import describe_transaction, read_to_end

if TYPE_CHECKING:
    from ...cluster import Cluster


@dataclass
class KillResult:
    records: int  # input records
    committed_transactions_before_kill: int
    seen_committed_at_kill: int  # what read_committed saw in the output right after the kill
    seen_uncommitted_at_kill: int  # what read_uncommitted saw then
    seen_committed: int  # after the restarted copier finished
    seen_uncommitted: int
    aborted_visible: int  # records only read_uncommitted sees (the aborted transaction's)
    committed_duplicates: int  # copies beyond the first, in what read_committed sees
    committed_missing: int  # input records read_committed does not see


def kill_mid_transaction(cluster: Cluster, folder: Path, records: int = 200,
                         per_transaction: int = 20, hold: float = 1.0,
                         timeout: float = 60.0) -> KillResult:
    """Copy ``records`` records with :func:`transactional_copier`, SIGKILL it while its
    second transaction is open (records sent, not committed), count what each isolation level
    sees; then restart it with the same transactional.id and count again when it is done."""
    tag = uuid.uuid4().hex[:6]
    source = cluster.create_topic(prefix="orders")
    sink = cluster.create_topic(prefix="orders-copy")
    produce(cluster.producer_config(), source, [f"order-{i}" for i in range(records)],
            keys=[f"customer-{i % 7}" for i in range(records)])
    group, tid = f"copier-{tag}", f"copier-{tag}"
    first = start_copier(cluster, folder, f"first-{tag}", source, sink, group, tid,
                         per_transaction=per_transaction, hold=hold)
    first.wait_for(lambda s: "open 2" in s, timeout)
    first.kill()
    committed_before = sum(1 for s in first.status() if s.startswith("committed"))
    at_kill_c = len(read_to_end(cluster, sink, "read_committed"))
    at_kill_u = len(read_to_end(cluster, sink, "read_uncommitted"))
    second = start_copier(cluster, folder, f"second-{tag}", source, sink, group, tid,
                          per_transaction=per_transaction)
    deadline = time.monotonic() + timeout
    while len(read_to_end(cluster, sink, "read_committed")) < records:
        if not second.alive() or time.monotonic() > deadline:
            raise RuntimeError("the restarted copier did not finish:\n" + second.error())
        time.sleep(0.3)
    second.stop()
    committed = read_to_end(cluster, sink, "read_committed")
    uncommitted = read_to_end(cluster, sink, "read_uncommitted")
    counts = Counter(r.value for r in committed)
    return KillResult(records, committed_before, at_kill_c, at_kill_u, len(committed),
                      len(uncommitted), len(uncommitted) - len(committed),
                      sum(c - 1 for c in counts.values()),
                      records - len(counts))


@dataclass
class TimeoutResult:
    timeout_ms: int
    states: list[tuple[float, str]]  # (seconds since the last send, coordinator's state)
    aborted_after: float | None  # seconds until the coordinator reported the abort
    error_name: str  # what the producer's commit_transaction() then raised
    error_code: int
    seen_committed: int
    seen_uncommitted: int


def timeout_abort(cluster: Cluster, timeout_ms: int = 2000, records: int = 10,
                  wait: float = 25.0) -> TimeoutResult:
    """Open a transaction with ``transaction.timeout.ms=timeout_ms``, send records, then go
    silent; watch the coordinator's state of the transaction until it aborts it; then try to
    commit."""
    topic = cluster.create_topic(prefix="slow-tx")
    tid = f"slow-{uuid.uuid4().hex[:6]}"
    producer = Producer({**cluster.producer_config(transactional_id=tid,
                                                transaction_timeout_ms=timeout_ms), "log_level": 0})
    producer.init_transactions(30)
    producer.begin_transaction()
    for i in range(records):
        producer.produce(topic, value=f"slow-{i}")
    producer.flush(30)
    t0 = time.monotonic()
    states: list[tuple[float, str]] = []
    aborted = None
    while time.monotonic() - t0 < wait:
        state = describe_transaction(cluster, tid).get("TransactionState", "?")
        states.append((round(time.monotonic() - t0, 1), state))
        if state in ("PrepareAbort", "CompleteAbort", "Empty") and aborted is None:
            aborted = time.monotonic() - t0
            break
    name, code = "no error", 0
    try:
        producer.commit_transaction(30)
    except KafkaException as exc:
        name, code = exc.args[0].name(), exc.args[0].code()
    committed = len(read_to_end(cluster, topic, "read_committed"))
    uncommitted = len(read_to_end(cluster, topic, "read_uncommitted"))
    return TimeoutResult(timeout_ms, states, aborted, name, code, committed, uncommitted)


@dataclass
class FencingResult:
    epoch_before: int
    epoch_after: int  # after the second instance's init_transactions
    error_class: str  # what the first instance's next call raised
    error_name: str
    error_code: int
    fatal: bool
    message: str
    seen_committed: list[str]  # what read_committed sees afterwards


def fencing(cluster: Cluster) -> FencingResult:
    """Two producers with one transactional.id: the second's ``init_transactions`` fences the
    first (the zombie), whose next send and commit fail."""
    topic = cluster.create_topic(prefix="fenced")
    tid = f"payments-{uuid.uuid4().hex[:6]}"
    conf = {**cluster.producer_config(transactional_id=tid), "log_level": 0}
    zombie = Producer(conf)
    zombie.init_transactions(30)
    zombie.begin_transaction()
    zombie.produce(topic, value="from the zombie")
    zombie.flush(30)
    before = int(describe_transaction(cluster, tid)["ProducerEpoch"])
    fresh = Producer(conf)
    fresh.init_transactions(30)  # bumps the epoch and aborts the zombie's open transaction
    after = int(describe_transaction(cluster, tid)["ProducerEpoch"])
    fresh.begin_transaction()
    fresh.produce(topic, value="from the new instance")
    fresh.commit_transaction(30)
    caught: KafkaException | None = None
    try:
        zombie.produce(topic, value="zombie again")
        zombie.flush(10)
        zombie.commit_transaction(10)
    except KafkaException as exc:
        caught = exc
    if caught is None:
        raise RuntimeError("the zombie was not fenced")
    err = caught.args[0]
    seen = [r.value for r in read_to_end(cluster, topic, "read_committed")]
    return FencingResult(before, after, type(caught).__name__, err.name(), err.code(),
                         err.fatal(), err.str(), seen)


@dataclass
class FailoverResult:
    transactional_id: str
    coordinator_before: int
    coordinator_after: int
    commit_seconds: float  # how long commit_transaction took after the kill
    records: int
    seen_committed: int
    seen_uncommitted: int
    state_after: str


def coordinator_failover(cluster: Cluster, records: int = 50) -> FailoverResult:
    """Open a transaction, send half the records, SIGKILL the broker that is the transaction's
    coordinator, send the other half and commit; count what read_committed sees. The killed
    broker is started again before returning."""
    topic = cluster.create_topic(prefix="failover", min_insync_replicas=2)
    tid = f"failover-{uuid.uuid4().hex[:6]}"
    producer = Producer({**cluster.producer_config(transactional_id=tid), "log_level": 0})
    producer.init_transactions(30)
    producer.begin_transaction()
    for i in range(records // 2):
        producer.produce(topic, value=f"tx-{i}")
    producer.flush(30)
    before = int(describe_transaction(cluster, tid)["CoordinatorId"])
    cluster.broker(before).kill()
    try:
        for i in range(records // 2, records):
            producer.produce(topic, value=f"tx-{i}")
        t0 = time.monotonic()
        producer.commit_transaction(60)
        seconds = time.monotonic() - t0
        described = describe_transaction(cluster, tid)
        committed = len(read_to_end(cluster, topic, "read_committed"))
        uncommitted = len(read_to_end(cluster, topic, "read_uncommitted"))
    finally:
        cluster.start_brokers([before])
    return FailoverResult(tid, before, int(described["CoordinatorId"]), seconds, records,
                          committed, uncommitted, described.get("TransactionState", "?"))


@dataclass
class CostPoint:
    per_transaction: int  # records per transaction (0: no transactions, idempotent only)
    records: int
    seconds: float

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def throughput(cluster: Cluster, per_transaction: int, records: int,
               max_seconds: float = 3.0) -> CostPoint:
    """Send up to ``records`` small records (fewer if ``max_seconds`` run out first),
    committing a transaction every ``per_transaction`` records (0: an idempotent producer
    without transactions); time it until the last record is committed (or acknowledged)."""
    topic = cluster.create_topic(prefix=f"cost-{per_transaction}")
    conf = {**cluster.producer_config(enable_idempotence=True, linger_ms=5), "log_level": 0}
    if per_transaction:
        conf["transactional.id"] = f"cost-{uuid.uuid4().hex[:6]}"
    producer = Producer(conf)
    if per_transaction:
        producer.init_transactions(30)
    t0 = time.monotonic()
    sent = 0
    while sent < records and (time.monotonic() - t0 < max_seconds
                              or (per_transaction and sent % per_transaction)):
        if per_transaction and sent % per_transaction == 0:
            if sent:
                producer.commit_transaction(30)
            producer.begin_transaction()
        while True:
            try:
                producer.produce(topic, value=f"r{sent}")
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        sent += 1
    if per_transaction:
        producer.commit_transaction(30)
    else:
        producer.flush(30)
    return CostPoint(per_transaction, sent, time.monotonic() - t0)
