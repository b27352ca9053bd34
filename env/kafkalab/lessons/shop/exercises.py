"""Helpers for notebook 07's exercises and their graders: read a topic to its end, replay a
known order stream, and check where every order went."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ...clients import Record, produce, read_to_end, to_record


def read_all(config: dict[str, Any], topics: list[str], timeout: float = 20.0) -> list[Record]:
    """Every record the topics hold now (each partition read from its start to its current
    end; returns at once for empty topics). No consumer group is joined."""
    return [to_record(m) for m in read_to_end(config, topics, timeout)]


def order_stream(n: int, seed: int, duplicate_at: int | None = None) -> list[dict[str, Any]]:
    """A known stream of order events with varied totals; optionally the order at index
    ``duplicate_at // 2`` is sent again at position ``duplicate_at`` (at-least-once upstream)."""
    orders = [{"order_id": f"o-{seed}-{i:03d}", "type": "order_placed",
               "total": round(5 + ((i * 37 + seed * 11) % 400) * 1.25, 2)} for i in range(n)]
    if duplicate_at is not None:
        orders.insert(duplicate_at, dict(orders[duplicate_at // 2]))
    return orders


def replay(config: dict[str, Any], topic: str, orders: list[dict[str, Any]]) -> None:
    produce({**config, "enable.idempotence": True}, topic,
            [json.dumps(o) for o in orders], keys=[o["order_id"] for o in orders])


def routing(config: dict[str, Any], passed: str, review: str) -> dict[str, Counter]:
    """How many times each order id reached each topic."""
    return {name: Counter(r.key for r in read_all(config, [name]))
            for name in (passed, review)}


def expected_routing(orders: list[dict[str, Any]], limit: float) -> tuple[set[str], set[str]]:
    passed = {o["order_id"] for o in orders if o["total"] <= limit}
    review = {o["order_id"] for o in orders if o["total"] > limit}
    return passed, review
