"""Lesson 06 support: throughput against partitions and consumers, measured with processes.

Modules:

* ``data``: :func:`fill` a topic, the key-scheme exercise's :func:`order_events` and
  :func:`produce_events`; :func:`crc32_partition` (from :mod:`kafkalab.clients`) says where
  librdkafka's default partitioner puts a key.
* ``throughput``: :func:`producer_throughput` and :func:`consumer_throughput`, each worker its
  own OS process, timed from one "go" (producers over a window of seconds after a warm-up);
  :func:`cores`, :func:`broker_open_files`.
* ``elsewhere``: :func:`call_elsewhere` calls a notebook function in a new Python process
  (another ``PYTHONHASHSEED``), as a restarted producer would.
* ``verdicts``: :func:`producer_verdict`, :func:`consumer_scaling_verdict`, :func:`busy_cores`:
  what the measured rates allow us to say.
"""

from ...clients import crc32_partition
from .data import fill, order_events, produce_events
from .elsewhere import call_elsewhere
from .throughput import broker_open_files, consumer_throughput, cores, producer_throughput
from .verdicts import busy_cores, consumer_scaling_verdict, producer_verdict

__all__ = [
    "broker_open_files",
    "busy_cores",
    "call_elsewhere",
    "consumer_scaling_verdict",
    "consumer_throughput",
    "cores",
    "crc32_partition",
    "fill",
    "order_events",
    "produce_events",
    "producer_throughput",
    "producer_verdict",
]
