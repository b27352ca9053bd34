"""Exercise 1's harness: run a ``fraud_check`` function from the notebook in a fresh process,
SIGKILLed at a chosen point, then again in another fresh process, as a restarted service is
(the mechanism: ``kafkalab.clients.crashpoints``).

A crash point is ``(kind, n)``: the process SIGKILLs itself right after the n-th

* ``"commit"``: return of ``Consumer.commit`` (an offset committed: was its output safe before?);
* ``"flush"``: return of ``Producer.flush`` (outputs acknowledged, offsets not yet committed:
  does the restarted service route those orders again?);
* ``"consume"``: record handed to the function by ``poll``/``consume``, after waiting
  :data:`AUTO_COMMIT_WAIT_S` (an auto-committing consumer commits that record's offset in the
  meantime, although the record was never processed).

The ``Consumer`` and ``Producer`` the function gets are confluent-kafka's, with three settings
forced so that each crash lands deterministically: ``auto.commit.interval.ms`` 100 (auto-commit,
if on, commits within the wait above), static membership (the restarted process takes the dead
one's partitions at once instead of waiting for its session to expire) and ``linger.ms`` 300 (a
record that was produced but never flushed is still in the process when it dies).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import confluent_kafka

from ...clients import committed_offsets, crashpoints, partitions

AUTO_COMMIT_WAIT_S = 1.0
CRASH_KINDS = ("commit", "flush", "consume")
PARAMETERS = ("config", "group_id", "source", "passed", "review", "limit", "max_messages")
# What the function finds imported in its process: the notebook's setup imports that matter.
PRELUDE = ("import json\nimport time\nimport uuid\nfrom collections import Counter\n"
           "from confluent_kafka import KafkaError, KafkaException, TopicPartition\n"
           "from kafkalab.lessons.shop.exercises import read_all\n"
           "from kafkalab.lessons.shop.fraudrun import Consumer, Producer\n")


class Producer(crashpoints.Producer):
    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__({**config, "linger.ms": 300}, *args, **kwargs)


class Consumer(crashpoints.Consumer):
    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        static = {"group.instance.id": f"{config['group.id']}-fraud-check"} \
            if "group.id" in config else {}
        super().__init__({**config, "auto.commit.interval.ms": 100, "session.timeout.ms": 6000,
                          "heartbeat.interval.ms": 1000, **static}, *args, **kwargs)


def check_signature(function: Any) -> None:
    """Raise TypeError, in one sentence, unless ``function`` takes fraud_check's parameters."""
    if not callable(function):
        raise TypeError(f"fraud_check must be a function, not {type(function).__name__}.")
    names = tuple(inspect.signature(function).parameters)
    if names[:len(PARAMETERS)] != PARAMETERS:
        raise TypeError(f"fraud_check must take ({', '.join(PARAMETERS)}, timeout), yours takes "
                        f"({', '.join(names)}).")


def run_in_process(function: Callable[..., Any], args: list[Any], folder: Path,
                   crash: tuple[str, int] | None = None,
                   timeout: float = 60.0) -> crashpoints.Outcome:
    """Run ``function(*args)`` in a fresh Python process (its source plus :data:`PRELUDE`),
    SIGKILLed right after its crash point (one of :data:`CRASH_KINDS`); wait for it to end."""
    check_signature(function)
    if crash is not None and crash[0] not in CRASH_KINDS:
        raise ValueError(f"crash kind {crash[0]!r} is not one of {CRASH_KINDS}")
    wait = AUTO_COMMIT_WAIT_S if crash is not None and crash[0] == "consume" else 0.0
    return crashpoints.run(function, args, folder, prelude=PRELUDE, crash=crash, wait=wait,
                           timeout=timeout)


def committed_by_partition(config: dict[str, Any], group_id: str, topic: str,
                           timeout: float = 30.0) -> dict[int, int]:
    """The group's committed offset of each partition of ``topic`` (0 where none is), asked
    again while the group's coordinator moves (NOT_COORDINATOR after a broker came back and
    took its partitions' leadership back: the lesson killed one before its exercises)."""
    consumer = confluent_kafka.Consumer({**config, "group.id": group_id,
                                         "enable.auto.commit": False, "log_level": 0})
    try:
        parts = [confluent_kafka.TopicPartition(topic, p) for p in partitions(consumer, topic)]
        return {tp.partition: tp.offset
                for tp in committed_offsets(consumer, parts, timeout, default=0)}
    finally:
        consumer.close()


def committed_total(config: dict[str, Any], group_id: str, topic: str,
                    timeout: float = 30.0) -> int:
    """How many records of ``topic`` the group has committed (the sum of its offsets)."""
    return sum(committed_by_partition(config, group_id, topic, timeout).values())
