"""Reading a topic to its end with a chosen isolation level, and what Kafka's own
``kafka-transactions`` tool says about producers and transactions.

(:func:`read_to_end` is a client idiom that belongs in ``kafkalab.clients`` once that module is
open for changes.)
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from ...clients import Record, to_record

if TYPE_CHECKING:
    from ...cluster import Cluster

TRANSACTIONS_TOOL = "org.apache.kafka.tools.TransactionsCommand"


def read_to_end(cluster: Cluster, topic: str, isolation: str = "read_committed",
                timeout: float = 30.0) -> list[Record]:
    """Every record of ``topic`` a consumer with ``isolation.level=isolation`` can read now,
    from the beginning to the end it sees (the last stable offset for ``read_committed``, the
    high watermark for ``read_uncommitted``), partition by partition in offset order."""
    consumer = Consumer({**cluster.consumer_config(f"reader-{uuid.uuid4().hex[:8]}"),
                         "isolation.level": isolation, "enable.auto.commit": False,
                         "log_level": 0})
    try:
        parts = sorted(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in parts}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        out: list[Record] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            positions = {tp.partition: tp.offset for tp in
                         consumer.position([TopicPartition(topic, p) for p in parts])}
            if all(ends[p] == 0 or positions[p] >= ends[p] for p in parts):
                break
            for msg in consumer.consume(500, 0.2):
                if msg.error() is None:
                    out.append(to_record(msg))
        else:
            raise TimeoutError(f"{topic} not read to its end ({ends}) within {timeout} s")
        return sorted(out, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def parse_table(text: str) -> list[dict[str, str]]:
    """The tab-separated table kafka-transactions prints (header line, then one line a row).
    Other lines are left out, a Java stack trace's ``\tat ...`` lines included (a JVM may log
    one to stdout before the table): every line of the table starts with a cell."""
    lines = [ln for ln in text.splitlines() if "\t" in ln and ln.split("\t", 1)[0].strip()]
    if not lines:
        return []
    header = [h.strip() for h in lines[0].split("\t")]
    return [{h: c.strip() for h, c in zip(header, ln.split("\t"), strict=False) if h}
            for ln in lines[1:]]


def transactions_tool(cluster: Cluster, *args: str) -> str:
    """``kafka-transactions.sh ARGS`` on the cluster's own jars, with its address and security
    settings (``run_tool`` puts them before the subcommand, where this tool wants them); its
    stdout."""
    return cluster.run_tool(TRANSACTIONS_TOOL, *args).stdout


def describe_producers(cluster: Cluster, topic: str, partition: int = 0) -> list[dict[str, str]]:
    """The producers the partition's leader tracks: ProducerId, ProducerEpoch, LastSequence,
    CurrentTransactionStartOffset, ..."""
    return parse_table(transactions_tool(cluster, "describe-producers", "--topic", topic,
                                         "--partition", str(partition)))


def describe_transaction(cluster: Cluster, transactional_id: str) -> dict[str, str]:
    """CoordinatorId, ProducerId, ProducerEpoch, TransactionState, TopicPartitions, ... of one
    transactional id, as its coordinator reports them."""
    rows = parse_table(transactions_tool(cluster, "describe", "--transactional-id",
                                         transactional_id))
    return rows[0] if rows else {}
