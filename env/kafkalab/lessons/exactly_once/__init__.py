"""Lesson 09 support: exactly-once with idempotent producers and transactions, under failure.

Modules:

* :class:`FaultProxy` (re-exported from ``kafkalab.clients``, where it lives since lesson 03's
  exercise uses it too): a loopback TCP proxy in front of every broker that drops the first
  produce response or replays the first produce request (Metadata rewritten to itself);
* ``idempotence``: :func:`through_proxy` counts the duplicates a plain and an idempotent
  producer leave behind such a fault (:class:`ProxyRun`);
* ``reading``: :func:`read_to_end` with an isolation level; :func:`describe_producers` and
  :func:`describe_transaction` (Kafka's ``kafka-transactions`` tool, parsed);
* ``copier``: :func:`transactional_copier` (consume-transform-produce in transactions) and
  :func:`start_copier`, which runs it, or your function, as a process that can be SIGKILLed
  (``python -m kafkalab.lessons.exactly_once spec.json``);
* ``transactions``: :func:`kill_mid_transaction`, :func:`timeout_abort`, :func:`fencing`,
  :func:`coordinator_failover`, :func:`throughput` (the cost of a transaction);
* ``charges``: :func:`charge_with_crash`, a card charge outside Kafka with and without an
  idempotency key;
* ``crashtest``: :func:`crash_test`, the exercise's test (crashes, restarts, one transaction
  that fails with an abortable error, exactly-once check of (key, value) records, a clean stop;
  the copier under test gets ``kafkalab.clients.crashpoints``' Consumer and ``copier.Producer``,
  which SIGKILL its process right after a chosen call, or make one commit_transaction fail);
* ``plots``: :func:`plot_duplicates`, :func:`plot_cost`.
"""

from ...clients import FaultProxy, ProxyStats, ReplayAnswer
from .charges import ChargeResult, charge_with_crash
from .copier import Copier, copier_configs, start_copier, transactional_copier
from .crashtest import CrashTest, check_signature, crash_test
from .idempotence import ProxyRun, through_proxy
from .plots import plot_cost, plot_duplicates
from .reading import describe_producers, describe_transaction, parse_table, read_to_end
from .transactions import (
    CostPoint,
    FailoverResult,
    FencingResult,
    KillResult,
    TimeoutResult,
    coordinator_failover,
    fencing,
    kill_mid_transaction,
    throughput,
    timeout_abort,
)

__all__ = [
    "ChargeResult",
    "Copier",
    "CostPoint",
    "CrashTest",
    "FailoverResult",
    "FaultProxy",
    "FencingResult",
    "KillResult",
    "ProxyRun",
    "ProxyStats",
    "ReplayAnswer",
    "TimeoutResult",
    "charge_with_crash",
    "check_signature",
    "coordinator_failover",
    "copier_configs",
    "crash_test",
    "describe_producers",
    "describe_transaction",
    "fencing",
    "kill_mid_transaction",
    "parse_table",
    "plot_cost",
    "plot_duplicates",
    "read_to_end",
    "start_copier",
    "through_proxy",
    "throughput",
    "timeout_abort",
    "transactional_copier",
]
