"""The runtime every Kafka-side service shares: a consumer group member with at-least-once
processing, state read back from a compacted topic, deduplication, and a health endpoint.

Loop: take a batch, handle each event (the service decides: applied, duplicate or ignored),
produce the outputs, wait until the brokers acknowledge them (acks=all), then commit the input
offsets. A process killed anywhere in this loop leaves its batch uncommitted, so the batch is
delivered again (at-least-once); the service's state (its output topic, compacted, read back per
partition when the partition is assigned) recognises what was already applied.

Two guards against the client library losing track of a partition after a broker dies: offsets
are looked up by the worker itself when partitions are assigned, and a watch thread rejoins the
group with a new consumer when a partition stays behind its end without moving while the worker
is otherwise idle (fetchwatch.py).
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from ...clients import committed_offsets
from . import fetchwatch
from .health import Stats, serve_health
from .topics import decode, encode, topic

Output = tuple[str, str, dict[str, Any] | None]  # (topic kind, key, value)


class Service(Protocol):
    name: str
    inputs: tuple[str, ...]
    state_topic: str | None

    def load(self, key: str, value: dict[str, Any] | None) -> None: ...
    def handle(self, kind: str, event: dict[str, Any]) -> tuple[str, list[Output]]: ...


def producer_config(client: dict[str, Any]) -> dict[str, Any]:
    return {**client, "acks": "all", "enable.idempotence": True, "linger.ms": 5}


def read_partition(client: dict[str, Any], name: str, partition: int,
                   apply: Callable[[str, dict[str, Any] | None], None],
                   timeout: float = 120.0, stall: float = 8.0) -> int:
    """Read one partition from its start to its end (partition EOF); return how many records.

    A fresh consumer, no group, no watermark query. When a broker dies mid-read the fetch can
    stall on the old leader; after ``stall`` seconds without progress the read starts again with
    a new consumer (``apply`` must tolerate seeing a record twice).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        loader = Consumer({**client, "group.id": f"loader-{uuid.uuid4().hex[:8]}",
                           "enable.auto.commit": False, "enable.partition.eof": True})
        loader.assign([TopicPartition(name, partition, OFFSET_BEGINNING)])
        count, progress = 0, time.monotonic()
        try:
            while time.monotonic() - progress < stall and time.monotonic() < deadline:
                msg = loader.poll(0.5)
                if msg is None:
                    continue
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        return count
                    continue
                key = msg.key().decode() if msg.key() else ""
                apply(key, decode(msg.value()))
                count, progress = count + 1, time.monotonic()
        finally:
            loader.close()
        print(f"reading {name}[{partition}] back stalled; starting again", flush=True)
    raise SystemExit(f"Reading {name}[{partition}] back took over {timeout} s")


class Worker:
    def __init__(self, service: Service, client: dict[str, Any], prefix: str, port: int,
                 replica: int = 0, batch: int = 100) -> None:
        self.service, self.client, self.prefix = service, client, prefix
        self.port, self.replica, self.batch = port, replica, batch
        self.stats = Stats()
        self.stop = threading.Event()
        self.paused = threading.Event()
        self._held = False
        self.holding = threading.Event()
        self.kinds = {topic(prefix, k): k for k in service.inputs}
        self.failed: list[str] = []
        self.producer = Producer(producer_config(client))
        self.watch = fetchwatch.ProgressWatch()
        self.view: dict[str, dict[str, Any]] = {}  # the client library's view, for /health
        self.stuck: list[str] = []
        self.consumer = self._new_consumer()

    def _health(self) -> dict[str, Any]:
        return {**self.stats.snapshot(self.service.name, self.replica),
                "paused": self.paused.is_set(), "fetch": self.view}

    def _on_stats(self, raw: str) -> None:
        self.view = fetchwatch.partitions(raw, self.kinds)

    def _watch(self) -> None:
        """Every few seconds: is an assigned partition behind its end and not moving?"""
        admin = None
        while not self.stop.wait(3.0):
            if self.paused.is_set() or self._held:
                self.watch.reset()
                continue
            keys = self.watch.keys()
            try:
                admin = admin or AdminClient(self.client)
                ends = fetchwatch.read_ends(admin, keys)
            except Exception as exc:  # the cluster is busy or down: no verdict this time
                print(f"watch: {exc}", flush=True)
                admin, ends = None, {}
            if len(ends) < len(keys):  # that client's view of the leaders may be the stale one
                missing = sorted(set(keys) - set(ends))
                print(f"watch: no end for {missing}; asking a new admin client", flush=True)
                admin = None
            stuck = self.watch.update(ends)
            if stuck and not self.stuck:
                self.stuck = [f"{self.kinds.get(t, t)}[{p}]" for t, p in stuck]

    def _new_consumer(self) -> Consumer:
        return Consumer({
            **self.client, "group.id": f"{self.prefix}.{self.service.name}",
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000,
            "partition.assignment.strategy": "range",
            "statistics.interval.ms": 2000, "stats_cb": self._on_stats})

    def _subscribe(self) -> None:
        self.consumer.subscribe(list(self.kinds), on_assign=self._on_assign,
                                on_revoke=self._on_revoke)

    def _rejoin(self) -> None:
        """A partition is stuck (see fetchwatch): leave the group and join with a new consumer,
        as a restarted replica would (the uncommitted rest of the batch comes again)."""
        print(f"{self.service.name}[{self.replica}]: {self.stuck} behind their end and not "
              f"consumed for {self.watch.stall_s:.0f} s (the client's view: {self.view}); "
              "rejoining the group with a new consumer", flush=True)
        self.stuck = []
        self.consumer.close()
        self.watch.start({})
        self.consumer = self._new_consumer()
        self._subscribe()
        with self.stats.lock:
            self.stats.counts["rejoins"] += 1

    def _hold(self) -> None:
        """Paused: keep the group membership alive (poll) but fetch nothing."""
        parts = self.consumer.assignment()
        if parts:
            self.consumer.pause(parts)
        msg = self.consumer.poll(0.2)  # only rebalance callbacks and errors can come
        if msg is not None and not msg.error():
            self.consumer.seek(TopicPartition(msg.topic(), msg.partition(), msg.offset()))
        self._held = True
        self.holding.set()

    def _on_assign(self, consumer: Consumer, parts: list[TopicPartition]) -> None:
        self.watch.start({})
        # Start each partition at an explicit offset (its committed one) instead of letting
        # librdkafka look it up: when that lookup meets a group coordinator that just moved
        # (a broker died) it can leave the partition never fetched (librdkafka issue 5586).
        offsets = committed_offsets(consumer, parts)
        consumer.assign(offsets)
        for p in sorted({tp.partition for tp in parts}):
            if self.service.state_topic and p not in self.stats.loaded:
                n = read_partition(self.client, topic(self.prefix, self.service.state_topic), p,
                                   self.service.load)
                with self.stats.lock:
                    self.stats.loaded[p] = n
        with self.stats.lock:
            self.stats.partitions = sorted({tp.partition for tp in parts})
        self.watch.start({(tp.topic, tp.partition): tp.offset for tp in offsets})

    def _on_revoke(self, consumer: Consumer, parts: list[TopicPartition]) -> None:
        self.watch.start({})
        self._flush_and_commit(consumer)
        with self.stats.lock:
            for tp in parts:
                self.stats.loaded.pop(tp.partition, None)  # re-read if it comes back
            self.stats.partitions = []

    def _report(self, err: KafkaError | None, msg: Any) -> None:
        if err is not None:
            self.failed.append(str(err))

    def _flush_and_commit(self, consumer: Consumer) -> None:
        while self.producer.flush(1.0) > 0:  # brokers down: wait (librdkafka keeps retrying)
            pass
        if self.failed:
            raise SystemExit(f"{self.service.name}: outputs not acknowledged ({self.failed[:1]}); "
                             "exiting without commit, so that the batch is delivered again")
        try:
            consumer.commit(asynchronous=False)
        except Exception as exc:  # nothing consumed yet / rebalancing: the next batch commits
            if "NO_OFFSET" not in str(exc):
                print(f"commit failed: {exc}", flush=True)

    def handle_batch(self, msgs: list[Any]) -> None:
        for msg in msgs:
            if msg.error():
                if msg.error().fatal():
                    raise SystemExit(f"{self.service.name}: fatal consumer error {msg.error()}")
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    print(f"consume error: {msg.error()}", flush=True)
                continue
            self.watch.handled(msg.topic(), msg.partition(), msg.offset())
            value = decode(msg.value())
            if value is None:
                continue
            result, outputs = self.service.handle(self.kinds[msg.topic()], value)
            for kind, key, out in outputs:
                self.producer.produce(topic(self.prefix, kind), key=key, value=encode(out),
                                      on_delivery=self._report)
                self.producer.poll(0)
            with self.stats.lock:
                self.stats.counts["seen"] += 1
                self.stats.counts[result] += 1
        self._flush_and_commit(self.consumer)
        with self.stats.lock:
            self.stats.counts["batches"] += 1

    def run(self) -> None:
        server = serve_health(self.port, self._health, self.paused, self.holding)
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        self._subscribe()
        threading.Thread(target=self._watch, daemon=True, name="watch").start()
        self.stats.ready = True
        print(f"{self.service.name}[{self.replica}] consuming {list(self.kinds)}", flush=True)
        try:
            while not self.stop.is_set():
                if self.paused.is_set():
                    self._hold()
                    continue
                if self._held:
                    self._held = False
                    self.holding.clear()
                    self.consumer.resume(self.consumer.assignment())
                if self.stuck:
                    self._rejoin()
                msgs = self.consumer.consume(self.batch, timeout=0.2)
                if msgs:
                    self.handle_batch(msgs)
        finally:
            self.producer.flush(10)
            self.consumer.close()
            server.shutdown()
