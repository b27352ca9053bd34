"""Lesson 04 support: reading a topic to its end, groups and their assignments, worker processes
that can be SIGKILLed mid-batch, and consumer lag.

Modules: ``reading`` (:func:`read_topic`), ``group`` (:class:`Group`, :func:`moves`),
``plots`` (:func:`plot_assignments`), ``workers`` (:class:`Worker`, :func:`start_worker`: worker
processes that die with this one), ``offsets`` (end and committed offsets,
:func:`kafka_tool_lag`, :func:`lag_experiment`), ``crashes`` (:func:`crash_and_resume`,
:func:`pool_with_crash`: a crash injected once the group has committed past an unprocessed
record; :func:`try_worker`, the exercise's self-check), ``brokerloss`` (:func:`broker_loss`: a
group reading through the SIGKILL of a partition leader and group coordinator on 3 brokers,
:func:`survival_verdict`, :func:`election_story`; :func:`plot_broker_loss` draws it).
``python -m kafkalab.lessons.consumers spec.json`` runs one worker (see ``__main__``).
"""

from .brokerloss import (
    BrokerLoss,
    Delivery,
    broker_loss,
    delivery_counts,
    election_story,
    longest_gaps,
    owner_changes,
    per_bin,
    survival_verdict,
)
from .crashes import CrashResult, PoolResult, crash_and_resume, pool_with_crash, try_worker
from .group import Group, moves
from .offsets import at_end, commit_offsets, committed, end_offsets, kafka_tool_lag, lag_experiment
from .plots import plot_assignments, plot_broker_loss
from .reading import read_topic
from .workers import PRELUDE, Worker, start_worker

__all__ = [
    "PRELUDE",
    "BrokerLoss",
    "CrashResult",
    "Delivery",
    "Group",
    "PoolResult",
    "Worker",
    "at_end",
    "broker_loss",
    "commit_offsets",
    "committed",
    "crash_and_resume",
    "delivery_counts",
    "election_story",
    "end_offsets",
    "kafka_tool_lag",
    "lag_experiment",
    "longest_gaps",
    "moves",
    "owner_changes",
    "per_bin",
    "plot_assignments",
    "plot_broker_loss",
    "pool_with_crash",
    "read_topic",
    "start_worker",
    "survival_verdict",
    "try_worker",
]
