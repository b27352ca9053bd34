"""A consume-transform-produce copier in its own process, so that it can be SIGKILLed.

:func:`start_copier` spawns ``python -m kafkalab.lessons.exactly_once spec.json`` through
``kafkalab.clients.crashpoints`` (it dies with its parent, and SIGKILLs itself at its crash
point if it has one). The process runs either the course's :func:`transactional_copier` or a
function from your notebook with the signature
``copier(consumer_config, producer_config, transactional_id, source, sink, should_stop)``.

A copier function from a notebook gets :class:`Producer` (``crashpoints``' Producer, which can
also be told to fail: ``fault=(call, n)`` makes the n-th ``commit_transaction`` raise an
abortable error, as a transaction whose records could not all be delivered does) and
``crashpoints``' Consumer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confluent_kafka import KafkaError, KafkaException

from ... import procs
from ...clients import crashpoints

if TYPE_CHECKING:
    from ...cluster import Cluster

# What a copier function from a notebook finds imported in its process (Consumer and Producer
# are confluent-kafka's, with crash points: see ``kafkalab.clients.crashpoints``; Producer is
# this module's, which can also fail on purpose: :func:`arm_fault`).
PRELUDE = ("import time\nfrom confluent_kafka import KafkaError, KafkaException, TopicPartition\n"
           "from kafkalab.clients.crashpoints import Consumer\n"
           "from kafkalab.lessons.exactly_once.copier import Producer\n")
# The injected fault (:func:`arm_fault`): the n-th commit_transaction of the process raises.
FAULT_CALLS = ("commit_transaction",)
_fault: dict[str, Any] = {"call": None, "after": 0, "seen": 0, "pending": False}


def arm_fault(call: str | None, after: int = 1) -> None:
    """Make the ``after``-th ``call`` of this process's :class:`Producer` raise an abortable
    error (None: never)."""
    if call is not None and call not in FAULT_CALLS:
        raise ValueError(f"fault {call!r} is not one of {FAULT_CALLS}")
    _fault.update(call=call, after=after, seen=0, pending=False)


def injected_error() -> KafkaException:
    """What the faulty call raises: an abortable (not fatal, not retriable) transaction error."""
    return KafkaException(KafkaError(
        KafkaError._MSG_TIMED_OUT, "a record of this transaction could not be delivered "
        "(a fault injected by the test): abort the transaction", fatal=False, retriable=False,
        txn_requires_abort=True))


class Producer(crashpoints.Producer):
    """``crashpoints``' Producer (crash points counted) with the fault of :func:`arm_fault`:
    the chosen ``commit_transaction`` raises an abortable error instead of committing; until
    ``abort_transaction`` is called, ``send_offsets_to_transaction`` and
    ``commit_transaction`` raise it again (as librdkafka does in its abortable-error state)."""

    def send_offsets_to_transaction(self, *args: Any, **kwargs: Any) -> Any:
        if _fault["pending"]:
            raise injected_error()
        return super().send_offsets_to_transaction(*args, **kwargs)

    def commit_transaction(self, *args: Any, **kwargs: Any) -> Any:
        if _fault["pending"]:
            raise injected_error()
        if _fault["call"] == "commit_transaction":
            _fault["seen"] += 1
            if _fault["seen"] == _fault["after"]:
                _fault["pending"] = True
                raise injected_error()
        return super().commit_transaction(*args, **kwargs)

    def abort_transaction(self, *args: Any, **kwargs: Any) -> Any:
        out = super().abort_transaction(*args, **kwargs)
        _fault["pending"] = False
        return out


def transactional_copier(consumer_config: dict, producer_config: dict, transactional_id: str,
                         source: str, sink: str, should_stop: Callable[[], bool],
                         per_transaction: int = 10, hold: float = 0.0,
                         status: Callable[[str], None] | None = None) -> None:
    """Copy ``source`` to ``sink`` exactly once: each batch of up to ``per_transaction`` records
    is produced and its input offsets committed in one transaction. ``hold`` seconds are spent
    inside each transaction after its records reached the broker (to make a kill land there);
    ``status`` hears "open N" then "committed N" for transaction N."""
    consumer = crashpoints.Consumer({**consumer_config, "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    producer = Producer({**producer_config, "transactional.id": transactional_id})
    producer.init_transactions(30)  # fences an older instance and aborts what it left open
    consumer.subscribe([source])
    n = 0
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(per_transaction, 0.3) if m.error() is None]
            if not batch:
                continue
            n += 1
            producer.begin_transaction()
            for msg in batch:
                producer.produce(sink, key=msg.key(), value=msg.value())
            if hold:
                producer.flush(30)
                if status:
                    status(f"open {n}")
                time.sleep(hold)
            producer.send_offsets_to_transaction(
                consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
            if status:
                status(f"committed {n}")
    finally:
        consumer.close()


class Copier:
    """A running copier process; ``status()`` is the lines it reported so far."""

    def __init__(self, child: procs.Child, status_file: Path, stop_file: Path,
                 log: Path) -> None:
        self.child, self.status_file, self.stop_file, self.log = child, status_file, stop_file, log

    @property
    def pid(self) -> int:
        return self.child.pid

    @property
    def returncode(self) -> int | None:
        """Its exit code once it has ended (-9: SIGKILLed), else None."""
        return self.child.poll()

    def status(self) -> list[str]:
        try:
            return self.status_file.read_text().splitlines()
        except OSError:
            return []

    def alive(self) -> bool:
        return self.child.running

    def kill(self) -> None:
        """SIGKILL: no commit, no abort, no close: a crash."""
        if self.alive():
            self.child.kill(10)

    def stop(self, timeout: float = 30.0) -> int:
        """Ask it to finish its batch and return; SIGKILL after ``timeout`` s."""
        return self.child.finish(self.stop_file, timeout)

    def error(self) -> str:
        """The end of what it printed (its traceback, if it failed)."""
        try:
            return self.log.read_text(errors="replace")[-1500:]
        except OSError:
            return ""

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.status()):
            if not self.alive():
                raise RuntimeError(f"the copier exited (code {self.returncode}):\n"
                                   + self.error())
            if time.monotonic() > deadline:
                raise TimeoutError(f"copier status {self.status()[-3:]} after {timeout} s")
            time.sleep(0.02)


def copier_configs(cluster: Cluster, group: str, instance: str | None = None,
                   **consumer: Any) -> tuple[dict, dict]:
    """(consumer config, producer config) for a copier: a short session and, with
    ``instance``, static membership, so a restarted copier takes its partitions back at once."""
    cons = {**cluster.consumer_config(group), "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 1000, "log_level": 0, **consumer}
    if instance:
        cons["group.instance.id"] = instance
    return cons, {**cluster.producer_config(), "log_level": 0}


def start_copier(cluster: Cluster, folder: Path, name: str, source: str, sink: str, group: str,
                 transactional_id: str, function: Callable[..., Any] | None = None,
                 per_transaction: int = 10, hold: float = 0.0,
                 producer_overrides: dict[str, Any] | None = None,
                 crash: tuple[str, int] | None = None, wait: float = 0.0,
                 consumer_overrides: dict[str, Any] | None = None,
                 fault: tuple[str, int] | None = None) -> Copier:
    """Start a copier process (the course's :func:`transactional_copier`, or ``function``);
    ``crash=(call, n)``: it SIGKILLs itself ``wait`` s after the n-th return of that call;
    ``fault=(call, n)``: the n-th such call of its Producer raises an abortable error
    (:func:`arm_fault`)."""
    folder.mkdir(parents=True, exist_ok=True)
    status, stop = folder / f"{name}.status", folder / f"{name}.stop"
    status.write_text("")
    stop.unlink(missing_ok=True)
    cons, prod = copier_configs(cluster, group, instance=f"{group}-copier")
    job = crashpoints.write_job(
        folder, name, function=function, prelude=PRELUDE, crash=crash, wait=wait,
        consumer_config={**cons, **(consumer_overrides or {})},
        producer_config={**prod, **(producer_overrides or {})},
        transactional_id=transactional_id, source=source, sink=sink, status=str(status),
        stop=str(stop), per_transaction=per_transaction, hold=hold,
        fault=list(fault) if fault else None)
    child = crashpoints.start(job, "kafkalab.lessons.exactly_once")
    return Copier(child, status, stop, child.log)


def copier_main(spec_path: str) -> None:
    """The copier process: what ``python -m kafkalab.lessons.exactly_once spec.json`` runs."""
    job = crashpoints.load_job(spec_path)
    spec = job.fields
    status_file, stop_file = Path(spec["status"]), Path(spec["stop"])
    out = open(status_file, "a", buffering=1)  # noqa: SIM115 - lives as long as the process

    def should_stop() -> bool:
        return stop_file.exists()

    if spec.get("fault"):
        arm_fault(*spec["fault"])
    args = (spec["consumer_config"], spec["producer_config"], spec["transactional_id"],
            spec["source"], spec["sink"], should_stop)
    if job.function is not None:
        job.function(*args)
    else:
        transactional_copier(*args, per_transaction=spec["per_transaction"], hold=spec["hold"],
                             status=lambda line: out.write(line + "\n"))
