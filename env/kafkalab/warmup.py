"""Make the class archive of a Kafka version: start one broker with the training flags
(``-XX:AOTCacheOutput`` on Java 25+, ``-XX:ArchiveClassesAtExit`` before), exercise it, stop it
cleanly (a third or more off every later JVM start; :mod:`kafkalab.backends.cache` says where
the archive lives)."""

from __future__ import annotations

import os
from pathlib import Path

from .api import start_cluster
from .backends.cache import cds_archive, prune_archives, record_archive, training_flags
from .backends.plan import Mode
from .clients import consume, produce


def make_cds_archive(mode: Mode | str = Mode.KRAFT) -> Path | None:
    """The archive for ``mode``'s Kafka version on this Java runtime, made if missing."""
    mode = Mode.parse(mode)
    archive = cds_archive(mode.version)
    if archive.exists():
        return archive
    archive.parent.mkdir(parents=True, exist_ok=True)
    tmp = archive.with_suffix(f".{os.getpid()}.tmp")
    flags = training_flags(tmp)
    with start_cluster(1, mode.value, "local", reuse=False, jvm_flags=flags) as cluster:
        topic = cluster.create_topic(partitions=2)
        produce(cluster.producer_config(), topic, [f"m{i}" for i in range(100)])
        consume(cluster.client_config(), [topic], max_messages=100, timeout=20)
        for node in cluster.nodes:
            node.stop()
    if tmp.exists() and tmp.stat().st_size > 0:
        os.replace(tmp, archive)
        record_archive(archive)
        prune_archives()  # those of runtimes that are gone (an old virtualenv)
        return archive
    return None
