"""The shop's Kafka-side services. Each handles one event at a time and decides whether it is new
(applied), already applied (duplicate: the order id is in its state) or not for it (ignored).

Pipeline (every record keyed by order id):
    gateway --orders--> inventory --inventory--> payments --payments--> shipping --shipments-->
    notifications --notifications-->;  the orders service folds all five into order-status.
"""

from __future__ import annotations

import time
from typing import Any

from .topics import RANK, event, now_ms
from .views import Tables
from .worker import Output

Event = dict[str, Any]


class Inventory:
    """Reserves stock for each order, or rejects it. One replica: stock is one count per product
    shared by every partition (scaling it out would need partitioning by product)."""

    name, inputs, state_topic = "inventory", ("orders",), "inventory"

    def __init__(self, catalog: Tables) -> None:
        self.catalog = catalog
        self.ledger: dict[str, Event] = {}  # order id -> reserved/rejected event
        self.reserved: dict[str, int] = {}

    def load(self, key: str, value: Event | None) -> None:
        if value is not None:
            self._apply(key, value)

    def _apply(self, order_id: str, ev: Event) -> None:
        old = self.ledger.get(order_id)
        if old and old["type"] == "reserved":
            for pid, qty in old["items"].items():
                self.reserved[pid] -= qty
        self.ledger[order_id] = ev
        if ev["type"] == "reserved":
            for pid, qty in ev["items"].items():
                self.reserved[pid] = self.reserved.get(pid, 0) + qty

    def available(self, pid: str) -> int:
        product = self.catalog.get("products", pid) or {}
        return int(product.get("stock", 0)) - self.reserved.get(pid, 0)

    def handle(self, kind: str, ev: Event) -> tuple[str, list[Output]]:
        if ev["type"] != "order_placed":
            return "ignored", []
        oid = ev["order_id"]
        if oid in self.ledger:
            return "duplicate", []
        items: dict[str, int] = ev["items"]
        missing = [p for p, q in items.items() if self.catalog.get("products", p) is None
                   or self.available(p) < q]
        if missing:
            out = event("rejected", oid, self.name, reason=f"out of stock: {', '.join(missing)}",
                        items=items, total=ev["total"])
        else:
            out = event("reserved", oid, self.name, items=items, total=ev["total"])
        self._apply(oid, out)
        stock = [("stock", p, {"product_id": p, "available": self.available(p), "ts": now_ms()})
                 for p in items if not missing]
        return "applied", [("inventory", oid, out), *stock]


class OncePerOrder:
    """A service that acts once per order on the events of types ``triggers``: its state is the
    set of order ids it already handled (the keys of its output topic, ``state_topic``, read
    back on start), so a redelivered event is a duplicate. Subclasses write :meth:`act`."""

    name: str
    inputs: tuple[str, ...]
    state_topic: str
    triggers: tuple[str, ...]

    def __init__(self) -> None:
        self.done: set[str] = set()

    def load(self, key: str, value: Event | None) -> None:
        if value is not None:
            self.done.add(key)

    def handle(self, kind: str, ev: Event) -> tuple[str, list[Output]]:
        if ev["type"] not in self.triggers:
            return "ignored", []
        oid = ev["order_id"]
        if oid in self.done:
            return "duplicate", []
        out = self.act(oid, ev)
        self.done.add(oid)
        return "applied", [(self.state_topic, oid, out)]

    def act(self, order_id: str, ev: Event) -> Event:
        """The event this service writes for the order."""
        raise NotImplementedError


class Payments(OncePerOrder):
    """Charges reserved orders. Slow on purpose (``delay`` seconds per charge): the service to
    scale out. Its state is the set of orders it already charged (its output topic)."""

    name, inputs, state_topic, triggers = "payments", ("inventory",), "payments", ("reserved",)

    def __init__(self, delay: float = 0.0, ledger: str | None = None) -> None:
        super().__init__()
        self.delay = delay
        # the card processor's own record of every charge it was asked for, one order id a
        # line: it is outside Kafka, so it counts charges, not records
        self.ledger = open(ledger, "a", buffering=1) if ledger else None  # noqa: SIM115

    def act(self, order_id: str, ev: Event) -> Event:
        if self.ledger:
            self.ledger.write(order_id + "\n")
        if self.delay:
            time.sleep(self.delay)  # the card processor's answer
        return event("paid", order_id, self.name, amount=ev["total"])


class Shipping(OncePerOrder):
    name, inputs, state_topic, triggers = "shipping", ("payments",), "shipments", ("paid",)

    def act(self, order_id: str, ev: Event) -> Event:
        return event("shipped", order_id, self.name, tracking=f"TRK-{order_id[-8:].upper()}")


class Notifications(OncePerOrder):
    name, inputs, state_topic = "notifications", ("inventory", "shipments"), "notifications"
    triggers = ("shipped", "rejected")

    def act(self, order_id: str, ev: Event) -> Event:
        return event("notified", order_id, self.name, about=ev["type"])


class Orders:
    """Folds every event of an order into one status document (order-status, compacted)."""

    name = "orders"
    inputs = ("orders", "inventory", "payments", "shipments", "notifications")
    state_topic = "order-status"

    def __init__(self) -> None:
        self.docs: dict[str, Event] = {}

    def load(self, key: str, value: Event | None) -> None:
        if value is not None:
            self.docs[key] = value

    def handle(self, kind: str, ev: Event) -> tuple[str, list[Output]]:
        doc = apply_event(self.docs.get(ev["order_id"]), ev)
        if doc is None:
            return "duplicate", []
        self.docs[ev["order_id"]] = doc
        return "applied", [("order-status", ev["order_id"], doc)]


def apply_event(doc: Event | None, ev: Event) -> Event | None:
    """The new status document after ``ev``, or None when ``ev`` was already applied.

    Events of one order can arrive from different topics in any order; the status is the
    furthest stage reached, so the result does not depend on arrival order.
    """
    oid = ev["order_id"]
    # any event of an order means the gateway accepted it (its own event may come later)
    doc = dict(doc) if doc else {"order_id": oid, "status": "accepted", "history": []}
    if any(h["id"] == ev["id"] for h in doc["history"]):
        return None
    doc["history"] = [*doc["history"], {"id": ev["id"], "type": ev["type"],
                                        "service": ev["service"], "ts": ev["ts"],
                                        "recorded": now_ms()}]
    kind = "accepted" if ev["type"] == "order_placed" else ev["type"]
    if ev["type"] == "order_placed":
        for field in ("items", "total", "address", "cart_id", "accepted_ts"):
            if field in ev:
                doc[field] = ev[field]
    elif ev["type"] == "address_changed":
        if doc.get("status") in ("shipped", "rejected"):
            doc["history"][-1]["type"] = "address_change_refused"
        else:
            doc["address"] = {**(doc.get("address") or {}), **ev["address"]}
    elif ev["type"] == "rejected":
        doc["reason"] = ev.get("reason")
    elif ev["type"] == "shipped":
        doc["tracking"] = ev.get("tracking")
    elif ev["type"] == "notified":
        doc["notified"] = True
    if kind in RANK and RANK[kind] >= RANK.get(doc.get("status") or "", 0):
        if not (doc.get("status") == "rejected" and kind == "shipped"):
            doc["status"] = kind
    doc["final"] = doc["status"] in ("shipped", "rejected")
    return doc
