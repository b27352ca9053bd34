"""Lesson 03 support: where keyed records go, what acks cost, and what they protect.

* :func:`crc32_partition` / :func:`murmur2_partition` compute what librdkafka's
  ``consistent_random`` (the default) and ``murmur2_random`` (Java's choice) partitioners pick.
* :func:`acks_under_failure` streams numbered records with several producer configurations at
  once, SIGKILLs the partition leader mid-stream, and :class:`Audit` counts what was
  acknowledged but lost, duplicated or reordered.
* :func:`bench` measures throughput and delivery latency of one producer configuration.

Modules: ``partitioners``, ``audit`` (:class:`Stream`, :class:`Audit`), ``acks`` (the acks
experiment, :func:`lost_response_stream` through ``clients.FaultProxy``, and the graded
:func:`durability_check`), ``throughput`` (:func:`bench`, :func:`latency_probe`),
``unclean``
(:func:`unclean_election`: an out-of-sync replica made leader, acknowledged records lost),
``verdicts`` (the sentences that follow a measurement: :func:`acks1_loss`,
:func:`acks0_offsets`, :func:`latency_order`, :func:`idempotence_cost`,
:func:`batch_compression`, :func:`unclean_offline`, :func:`unclean_loss`).
"""

from .acks import (
    AcksRun,
    DurabilityCheck,
    acks_under_failure,
    create_topic_led_by,
    durability_check,
    lost_response_stream,
    refusal,
)
from .audit import Audit, Stream, audit
from .partitioners import crc32_partition, keyless_partitions, murmur2, murmur2_partition
from .throughput import Bench, bench, latency_probe, payload
from .unclean import UncleanRun, unclean_election
from .verdicts import (
    acks0_offsets,
    acks1_loss,
    batch_compression,
    idempotence_cost,
    latency_order,
    unclean_loss,
    unclean_offline,
)

__all__ = [
    "acks0_offsets",
    "acks1_loss",
    "batch_compression",
    "idempotence_cost",
    "latency_order",
    "AcksRun",
    "Audit",
    "Bench",
    "DurabilityCheck",
    "Stream",
    "acks_under_failure",
    "audit",
    "bench",
    "crc32_partition",
    "create_topic_led_by",
    "durability_check",
    "keyless_partitions",
    "latency_probe",
    "lost_response_stream",
    "murmur2",
    "murmur2_partition",
    "payload",
    "refusal",
    "UncleanRun",
    "unclean_election",
    "unclean_loss",
    "unclean_offline",
]
