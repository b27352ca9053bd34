"""Lesson 06 support: throughput against partitions and consumers, measured with processes.

Modules:

* ``data``: :func:`fill` a topic, the key-scheme exercise's :func:`order_events` and
  :func:`produce_events`; :func:`crc32_partition` (from :mod:`kafkalab.clients`) says where
  librdkafka's default partitioner puts a key.
* ``throughput``: :func:`producer_throughput` and :func:`consumer_throughput`, each worker its
  own OS process, timed from one "go"; :func:`cores`.
"""

from ...clients import crc32_partition
from .data import fill, order_events, produce_events
from .throughput import consumer_throughput, cores, producer_throughput

__all__ = [
    "consumer_throughput",
    "cores",
    "crc32_partition",
    "fill",
    "order_events",
    "produce_events",
    "producer_throughput",
]
