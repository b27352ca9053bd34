"""Reading a topic to its end with a chosen isolation level, and what Kafka's own
``kafka-transactions`` tool says about producers and transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...clients import Record, to_record
from ...clients import read_to_end as clients_read_to_end

if TYPE_CHECKING:
    from ...cluster import Cluster

TRANSACTIONS_TOOL = "org.apache.kafka.tools.TransactionsCommand"


def read_to_end(cluster: Cluster, topic: str, isolation: str = "read_committed",
                timeout: float = 30.0) -> list[Record]:
    """Every record of ``topic`` a consumer with ``isolation.level=isolation`` can read now,
    from the beginning to the end it sees (the last stable offset for ``read_committed``, the
    high watermark for ``read_uncommitted``), partition by partition in offset order: the
    clients' :func:`kafkalab.clients.read_to_end` with that isolation level."""
    config = {**cluster.client_config(), "isolation.level": isolation}
    return [to_record(m) for m in clients_read_to_end(config, topic, timeout)]


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
