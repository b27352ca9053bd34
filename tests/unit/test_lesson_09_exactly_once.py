"""Lesson 09 without Kafka: the proxy's wire-format rewriting, the tool-table parser, the crash
test's verdict and signature check."""

from __future__ import annotations

import struct

import pytest

from kafkalab.clients.proxy import (
    _put_string,
    _put_uvarint,
    parse_produce_response,
    rewrite_metadata,
)
from kafkalab.lessons.exactly_once import CrashTest, check_signature, parse_table

pytestmark = pytest.mark.unit


def _metadata(flexible: bool, brokers: list[tuple[int, str, int]], rest: bytes) -> bytes:
    body = struct.pack(">i", 7)  # correlation id
    if flexible:
        body += _put_uvarint(0)  # header tags
    body += struct.pack(">i", 0)  # throttle
    body += _put_uvarint(len(brokers) + 1) if flexible else struct.pack(">i", len(brokers))
    for node, host, port in brokers:
        body += struct.pack(">i", node) + _put_string(host, flexible) + struct.pack(">i", port)
        body += _put_string(None, flexible)  # rack
        if flexible:
            body += _put_uvarint(0)
    return body + rest


@pytest.mark.parametrize("version", [8, 12])
def test_rewrite_metadata_points_brokers_at_the_proxy(version: int) -> None:
    flexible = version >= 9
    rest = b"cluster-and-topics-unchanged"
    original = _metadata(flexible, [(1, "broker-a.example", 9092), (2, "b", 9093)], rest)
    rewritten = rewrite_metadata(original, version, {1: 40001, 2: 40002})
    assert rewritten == _metadata(flexible, [(1, "127.0.0.1", 40001), (2, "127.0.0.1", 40002)],
                                  rest)
    assert rewrite_metadata(original, version, {}) == original


def test_parse_produce_response() -> None:
    body = struct.pack(">i", 3) + _put_uvarint(0)  # correlation id, header tags (v9+)
    body += _put_uvarint(2) + _put_string("topic", True) + _put_uvarint(2)
    body += struct.pack(">ihq", 0, 0, 100) + b"\x00" * 20
    (answer,) = parse_produce_response(body, 9)
    assert (answer.partition, answer.error_code, answer.base_offset) == (0, 0, 100)


def test_parse_table() -> None:
    text = ("ProducerId\tProducerEpoch\tLastSequence\t\n0         \t0            \t99  \t\n"
            "some warning line\n")
    assert parse_table(text) == [{"ProducerId": "0", "ProducerEpoch": "0",
                                  "LastSequence": "99"}]
    assert parse_table("no table") == []
    # what the JVM logged before the table inside the grading sandbox (JDK 17, cgroup v1)
    trace = ("java.lang.NullPointerException\n"
             "\tat java.base/java.util.Objects.requireNonNull(Objects.java:209)\n"
             "\tat java.base/sun.nio.fs.UnixFileSystem.getPath(UnixFileSystem.java:263)\n")
    assert parse_table(trace + text) == parse_table(text)


def test_crash_test_verdict() -> None:
    ok = CrashTest(10, 10, 0, 0, 0, [], ["after commit #1"])
    assert ok.exactly_once and "exactly once" in ok.verdict()
    dup = CrashTest(10, 12, 0, 2, 0, [], ["after commit_transaction #1"])
    assert not dup.exactly_once and "2 duplicated" in dup.verdict()
    junk = CrashTest(10, 15, 0, 0, 5, [], [])
    assert not junk.exactly_once


def test_check_signature() -> None:
    def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
        return None

    check_signature(copier)

    def wrong(config, topic):
        return None

    with pytest.raises(TypeError, match="must take"):
        check_signature(wrong)
    with pytest.raises(TypeError, match="must be a function"):
        check_signature(42)
