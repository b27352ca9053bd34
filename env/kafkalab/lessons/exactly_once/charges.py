"""Where exactly-once ends: a side effect outside Kafka (a card charge in a local SQLite
database) is not undone when the Kafka transaction around it aborts."""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from confluent_kafka import Consumer, Producer

from ...clients import produce
from .reading import read_to_end

if TYPE_CHECKING:
    from ...cluster import Cluster


@dataclass
class ChargeResult:
    idempotency_key: bool
    orders: int
    charges: int  # rows in the card processor's table
    charged_twice: int  # orders charged more than once
    payments_committed: int  # "paid" records read_committed sees in the payments topic


def _charge(db: sqlite3.Connection, order_id: str, amount: int, keyed: bool) -> None:
    """The card processor: one row per charge; with a key, a repeated order id is ignored."""
    verb = "INSERT OR IGNORE" if keyed else "INSERT"
    db.execute(f"{verb} INTO charges (order_id, amount) VALUES (?, ?)", (order_id, amount))
    db.commit()  # the money has moved: nothing in Kafka can take this back


def _payment_worker(cluster: Cluster, db: sqlite3.Connection, orders: str, payments: str,
                    group: str, tid: str, expected: int, keyed: bool, crash: bool) -> None:
    consumer = Consumer({**cluster.consumer_config(group), "enable.auto.commit": False,
                         "isolation.level": "read_committed", "log_level": 0})
    producer = Producer({**cluster.producer_config(transactional_id=tid), "log_level": 0})
    producer.init_transactions(30)  # aborts a transaction a crashed instance left open
    consumer.subscribe([orders])
    batch: list = []
    for _ in range(100):
        batch += [m for m in consumer.consume(expected - len(batch), 0.3) if m.error() is None]
        if len(batch) >= expected:
            break
    producer.begin_transaction()
    for msg in batch:
        order_id, amount = msg.value().decode().split(":")
        _charge(db, order_id, int(amount), keyed)
        producer.produce(payments, key=order_id, value=f"paid {amount}")
    if crash:  # stops here: charged, sent, but neither committed nor aborted
        producer.flush(30)
        consumer.close()
        return
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                         consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
    consumer.close()


def charge_with_crash(cluster: Cluster, folder: Path, orders: int = 10,
                      idempotency_key: bool = False) -> ChargeResult:
    """A transactional payment worker charges ``orders`` orders and stops before committing
    its transaction (a crash between the charge and the commit); a new instance with the same
    ``transactional.id`` aborts that transaction, reads the orders again and charges them."""
    tag = uuid.uuid4().hex[:6]
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / f"cards-{tag}.sqlite")
    key = " PRIMARY KEY" if idempotency_key else ""
    db.execute(f"CREATE TABLE charges (order_id TEXT{key}, amount INTEGER)")
    topic = cluster.create_topic(prefix="orders")
    payments = cluster.create_topic(prefix="payments")
    produce(cluster.producer_config(), topic, [f"order-{i}:{10 + i}" for i in range(orders)])
    for crash in (True, False):
        _payment_worker(cluster, db, topic, payments, f"payments-{tag}", f"payments-{tag}",
                        orders, idempotency_key, crash)
    rows = Counter(order for (order,) in db.execute("SELECT order_id FROM charges"))
    db.close()
    paid = len(read_to_end(cluster, payments, "read_committed"))
    return ChargeResult(idempotency_key, orders, sum(rows.values()),
                        sum(1 for c in rows.values() if c > 1), paid)
