"""What a client reports when the cluster refuses it, and how long it takes to say so."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from confluent_kafka import Producer


@dataclass(frozen=True)
class Attempt:
    """The errors (error callback first, then log lines) and seconds until the first error."""

    errors: list[str]
    logs: list[str]
    seconds: float | None


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def first_error(conf: dict, timeout: float = 15.0) -> Attempt:
    """Start a producer with ``conf`` and serve its callbacks until it reports an error (or
    ``timeout`` passes: then ``seconds`` is None)."""
    errors: list[str] = []
    handler = _Lines()
    logger = logging.getLogger(f"kafkalab.lesson08.{uuid.uuid4().hex[:6]}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    producer = Producer({**conf, "error_cb": lambda err: errors.append(str(err)),
                         "logger": logger})
    t0 = time.monotonic()
    while not errors and time.monotonic() - t0 < timeout:
        producer.poll(0.02)
    seconds = time.monotonic() - t0 if errors else None
    producer.poll(0.3)
    return Attempt(errors, handler.lines, seconds)


def try_produce(conf: dict, topic: str, value: bytes = b"hello",
                timeout: float = 15.0) -> str | None:
    """Produce one record; None when the broker stored it, else the delivery error's text."""
    result: list[str | None] = []
    producer = Producer({**conf, "message.timeout.ms": int(timeout * 1000) - 1000,
                         "log_level": 0})
    producer.produce(topic, value, on_delivery=lambda err, _m: result.append(
        None if err is None else str(err)))
    producer.flush(timeout)
    return result[0] if result else "no delivery report"
