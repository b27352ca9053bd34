"""Producing: :func:`send` one record (waiting while the client's queue is full),
:func:`produce_all` many on a producer you own, :func:`produce` with a producer of its own that
returns what was acknowledged, :class:`AckedPublisher` for asyncio code, and
:func:`crc32_partition` (where librdkafka's default partitioner puts a key)."""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import Iterable
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from .records import Record, to_record


def produce(config: dict[str, Any], topic: str, values: Iterable[Any],
            keys: Iterable[Any] | None = None, timeout: float = 30.0) -> list[Record]:
    """Produce every value (str/bytes; keys optional), wait for every delivery report, and
    return what the broker acknowledged (partition and offset), in delivery order.
    Raises if any message failed."""
    producer = Producer(config)
    acked: list[Record] = []
    failed: list[str] = []

    def report(err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            failed.append(str(err))
        else:
            acked.append(to_record(msg))

    key_iter = iter(keys) if keys is not None else None
    for value in values:
        key = next(key_iter) if key_iter is not None else None
        send(producer, topic, value, key, on_delivery=report)
        producer.poll(0)
    remaining = producer.flush(timeout)
    if failed or remaining:
        raise RuntimeError(f"{len(failed)} message(s) failed ({failed[:1]}), "
                           f"{remaining} not delivered within {timeout} s")
    return acked


def send(producer: Producer, topic: str, value: Any = None, key: Any = None, *,
         wait: float = 0.05, **kwargs: Any) -> None:
    """Produce one record; while the client's local queue is full (``BufferError``), serve
    delivery reports for ``wait`` seconds and try again. ``kwargs`` go to ``produce``
    (``partition``, ``on_delivery``, ``headers``)."""
    while True:
        try:
            producer.produce(topic, value=value, key=key, **kwargs)
            return
        except BufferError:
            producer.poll(wait)


def produce_all(producer: Producer, topic: str, values: Iterable[Any],
                keys: Iterable[Any] | None = None, partitions: Iterable[int] | None = None,
                timeout: float = 60.0, wait: float = 0.05) -> int:
    """:func:`send` every value (with its key and partition when given), then flush; return
    how many were sent. Raises ``RuntimeError`` when some are still undelivered after
    ``timeout`` seconds (failed deliveries are the caller's delivery callback's business)."""
    key_iter = iter(keys) if keys is not None else None
    part_iter = iter(partitions) if partitions is not None else None
    count = 0
    for value in values:
        extra = {"partition": next(part_iter)} if part_iter is not None else {}
        send(producer, topic, value, next(key_iter) if key_iter is not None else None,
             wait=wait, **extra)
        count += 1
    left = producer.flush(timeout)
    if left:
        raise RuntimeError(f"{left} of {count} records to {topic} were not delivered within "
                           f"{timeout} s")
    return count


def crc32_partition(key: bytes | str, partitions: int) -> int:
    """The partition librdkafka's default ``consistent_random`` partitioner picks for a
    non-empty key: CRC-32 of the key bytes modulo the partition count."""
    return zlib.crc32(key.encode() if isinstance(key, str) else key) % partitions


class AckedPublisher:
    """A producer for asyncio code: ``await publish(...)`` returns once the brokers have
    acknowledged the record. Its delivery reports are served by a thread of its own.

    ``config`` is a full producer configuration (``cluster.producer_config(...)``), so a SASL
    or TLS cluster's settings are kept.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.producer = Producer(config)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="acked-publisher")
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.producer.poll(0.05)

    async def publish(self, topic: str, value: Any, key: Any = None,
                      timeout: float | None = 30.0, wait_when_full: bool = True) -> str | None:
        """Produce one record and wait for its delivery report: None once acknowledged, else
        what went wrong (the broker's error, no report within ``timeout`` seconds, or the
        client refusing the record; with ``wait_when_full=False`` a full local queue is
        refused at once instead of waited out)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()

        def report(err: KafkaError | None, _msg: Message) -> None:
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(err))

        while True:
            try:
                self.producer.produce(topic, key=key, value=value, on_delivery=report)
                break
            except BufferError as exc:
                if not wait_when_full:
                    return str(exc) or "the producer's queue is full"
                await asyncio.sleep(0.01)
            except Exception as exc:  # e.g. a record too large: refused, the caller decides
                return str(exc)
        try:
            err = await asyncio.wait_for(done, timeout)
        except Exception:  # asyncio.TimeoutError (not the builtin one before Python 3.11)
            return f"no acknowledgement within {timeout} s"
        return None if err is None else str(err)

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is still queued (up to ``timeout`` seconds), then stop polling."""
        self.producer.flush(timeout)
        self._stop.set()
        self._thread.join(timeout)
