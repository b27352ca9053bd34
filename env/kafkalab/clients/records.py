"""A consumed message as plain data: :class:`Record`, :func:`to_record`."""

from __future__ import annotations

from dataclasses import dataclass

from confluent_kafka import Message


@dataclass(frozen=True)
class Record:
    """A consumed message, as plain data (safe to keep after the consumer closes)."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: str | None
    timestamp_ms: int
    headers: dict[str, str]


def to_record(msg: Message) -> Record:
    key, value = msg.key(), msg.value()
    return Record(msg.topic(), msg.partition(), msg.offset(),
                  key.decode() if isinstance(key, bytes) else key,
                  value.decode() if isinstance(value, bytes) else value,
                  msg.timestamp()[1],
                  {k: (v.decode() if isinstance(v, bytes) else v) for k, v in msg.headers() or []})
