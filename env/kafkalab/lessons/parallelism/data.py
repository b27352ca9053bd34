"""What lesson 06 writes: :func:`fill` a topic with records, the per-order events of the
key-scheme exercise (:func:`order_events`, :func:`produce_events`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from confluent_kafka import Producer

from ...clients import Record, consume, produce, produce_all
from ...cluster import Cluster


def fill(cluster: Cluster, topic: str, messages: int, value_size: int = 100,
         keys: Iterable[str] | None = None, round_robin: int | None = None) -> int:
    """Write ``messages`` records of ``value_size`` bytes: keyed by ``keys`` when given, or
    spread exactly evenly over ``round_robin`` partitions, else left to the partitioner."""
    producer = Producer(cluster.producer_config(linger_ms=20, batch_num_messages=10000))
    value = b"x" * value_size
    return produce_all(producer, topic, (value for _ in range(messages)), keys,
                       (i % round_robin for i in range(messages)) if round_robin else None)


def order_events(hot_orders: int = 40, customers: int = 20, orders_each: int = 2,
                 steps: int = 5, hot_customer: str = "C-HOT",
                 hot_order_prefix: str = "O-H") -> list[dict[str, Any]]:
    """Events of orders, interleaved in time: customer ``hot_customer`` places ``hot_orders``
    orders (``<hot_order_prefix>000``, ...), each other customer (``C-000``, ...)
    ``orders_each``; every order goes through ``steps`` numbered steps."""
    orders = [(hot_customer, f"{hot_order_prefix}{i:03d}") for i in range(hot_orders)]
    orders += [(f"C-{c:03d}", f"O-{c:03d}-{i}") for c in range(customers)
               for i in range(orders_each)]
    return [{"customer": c, "order": o, "seq": s} for s in range(steps) for c, o in orders]


def produce_events(cluster: Cluster, topic: str, events: list[dict[str, Any]],
                   key_fn: Callable[[str, str], str]) -> list[Record]:
    """Produce ``events`` in order, keyed by ``key_fn(customer, order)``, with idempotence on
    (no reordering on retries); then read the topic back. Returns the consumed records."""
    keys = [key_fn(e["customer"], e["order"]) for e in events]
    conf = {**cluster.producer_config(enable_idempotence=True), "log_level": 3}  # errors only
    produce(conf, topic, [json.dumps(e) for e in events], keys)
    return consume(cluster.consumer_config(f"check-{uuid.uuid4().hex[:8]}"), [topic],
                   max_messages=len(events), timeout=60, idle=5)
