"""Topic names, event encoding and topic creation for the shop.

Every topic is keyed by an order id (event topics) or by the id of the thing it stores (carts,
products, stock): one key always lands in one partition, so one order's events stay in order.
The event topics all have the same partition count, so partition p of every topic holds the same
orders, and a service replica that owns partition p of its input also owns its state there.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from ...clients import wait_until

# kind -> compacted?  (compacted topics keep the latest value per key: state that can be read back)
TOPICS: dict[str, bool] = {
    "orders": False,        # order_placed, address_changed (gateway)
    "inventory": True,      # reserved / rejected, one per order (inventory's ledger)
    "payments": True,       # paid, one per order
    "shipments": True,      # shipped, one per order
    "notifications": True,  # notified, one per order
    "order-status": True,   # the orders service's view of each order
    "products": True,       # the catalog: product id -> name, price, stock supplied
    "stock": True,          # inventory's available count per product
    "carts": True,          # cart id -> items (a tombstone deletes a cart)
}
EVENT_TOPICS = ("orders", "inventory", "payments", "shipments", "notifications")
FINAL = ("shipped", "rejected")
RANK = {"accepted": 1, "reserved": 2, "paid": 3, "shipped": 4, "rejected": 4}


def topic(prefix: str, kind: str) -> str:
    if kind not in TOPICS:
        raise KeyError(f"No shop topic kind {kind!r}; kinds are {sorted(TOPICS)}")
    return f"{prefix}.{kind}"


def new_id(kind: str = "o") -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"


def now_ms() -> int:
    return int(time.time() * 1000)


def encode(value: dict[str, Any] | None) -> bytes | None:
    return None if value is None else json.dumps(value, separators=(",", ":")).encode()


def decode(raw: bytes | str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return json.loads(raw)


def event(kind: str, order_id: str, service: str, **fields: Any) -> dict[str, Any]:
    """An event record. ``id`` is what consumers deduplicate on (one per order and kind)."""
    return {"id": fields.pop("event_id", f"{kind}:{order_id}"), "type": kind,
            "order_id": order_id, "service": service, "ts": now_ms(), **fields}


def create_topics(admin: Any, prefix: str, partitions: int = 3, replication_factor: int = 1,
                  min_insync_replicas: int | None = None, timeout: float = 30.0) -> list[str]:
    """Create every shop topic (existing ones are kept); return their names."""
    from confluent_kafka.admin import NewTopic

    names = {topic(prefix, k): compacted for k, compacted in TOPICS.items()}
    existing = set(admin.list_topics(timeout=timeout).topics)
    new = []
    for name, compacted in names.items():
        if name in existing:
            continue
        conf = {"cleanup.policy": "compact" if compacted else "delete"}
        if min_insync_replicas is not None:
            conf["min.insync.replicas"] = str(min_insync_replicas)
        new.append(NewTopic(name, partitions, replication_factor, config=conf))
    if new:
        for name, fut in admin.create_topics(new, request_timeout=timeout).items():
            try:
                fut.result(timeout)
            except Exception as exc:
                if "TOPIC_ALREADY_EXISTS" not in str(exc):
                    raise RuntimeError(f"Could not create shop topic {name}: {exc}. Fix: check "
                                       "the cluster has enough brokers for the replication "
                                       "factor.") from exc
    def led() -> bool:
        md = admin.list_topics(timeout=timeout).topics
        return all(n in md and len(md[n].partitions) == partitions
                   and all(p.leader >= 0 for p in md[n].partitions.values()) for n in names)

    wait_until(led, timeout, "leaders for every partition of the shop topics", interval=0.1)
    return list(names)
