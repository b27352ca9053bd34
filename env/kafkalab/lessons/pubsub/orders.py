"""The order stream every model carries: :func:`make_orders` and :func:`fill`."""

from __future__ import annotations

import json
import random
from typing import Any

from confluent_kafka import Producer

from ...clients import produce_all
from ...cluster import Cluster

REGIONS = ("eu", "us", "apac")
CATEGORIES = ("books", "games", "tools", "food")


def make_orders(n: int, seed: int = 0, customers: int = 50) -> list[dict[str, Any]]:
    """``n`` orders with an increasing ``id``, a region, a category, an amount and a customer."""
    rnd = random.Random(seed)
    return [{"id": i, "region": rnd.choice(REGIONS), "category": rnd.choice(CATEGORIES),
             "amount": rnd.randint(1, 500), "customer": f"c{rnd.randrange(customers):03d}"}
            for i in range(n)]


def fill(cluster: Cluster, topic: str, events: list[dict[str, Any]],
         timeout: float = 60.0) -> int:
    """Produce every event as JSON keyed by its customer; return how many were acknowledged."""
    producer = Producer(cluster.producer_config(linger_ms=20, enable_idempotence=True))
    return produce_all(producer, topic, (json.dumps(e) for e in events),
                       (e["customer"] for e in events), timeout=timeout)
