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
from kafkalab.clients.records import Record
from kafkalab.lessons.exactly_once import CrashTest, check_signature, parse_table
from kafkalab.lessons.exactly_once.copier import Producer, arm_fault
from kafkalab.lessons.exactly_once.crashtest import judge

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


def _out(pairs: list[tuple[str | None, str]], partition: int = 0) -> list[Record]:
    return [Record("out", partition, i, k, v, 0, {}) for i, (k, v) in enumerate(pairs)]


def test_judge_compares_keys_and_values() -> None:
    expected = [("k0", "k0:0"), ("k1", "k1:1"), ("k0", "k0:2")]
    assert judge(expected, _out(expected), []).exactly_once
    dropped = judge(expected, _out([(None, v) for _, v in expected]), [])
    assert not dropped.exactly_once
    assert dropped.missing == 3 and dropped.foreign == 3 and "3 records with a key" in \
        dropped.verdict()
    swapped = judge(expected, _out([("k0", "k0:2"), ("k1", "k1:1"), ("k0", "k0:0")]), [])
    assert swapped.out_of_order_keys == ["k0"] and not swapped.exactly_once
    junk = judge(expected, _out([*expected, ("k0", "junk-0-0")]), [])
    assert junk.junk == 1 and junk.foreign == 0 and not junk.exactly_once
    twice = judge(expected, _out([*expected, ("k1", "k1:1")]), [])
    assert twice.duplicates == 1 and not twice.exactly_once


def test_judge_stop_problem_fails() -> None:
    expected = [("k0", "k0:0")]
    hung = judge(expected, _out(expected), [], stop_problem="did not return")
    assert hung.exactly_once and not hung.passed and "did not return" in hung.verdict()
    assert judge(expected, _out(expected), []).passed


def test_fault_raises_abortable_until_abort() -> None:
    import confluent_kafka

    from kafkalab.clients import crashpoints

    calls: list[str] = []

    class Broker(crashpoints.Producer):  # what the fault's Producer calls when it lets a call by
        def commit_transaction(self, *args: object) -> None:
            calls.append("commit_transaction")

        def abort_transaction(self, *args: object) -> None:
            calls.append("abort_transaction")

        def send_offsets_to_transaction(self, *args: object) -> None:
            calls.append("send_offsets_to_transaction")

    class Faulty(Producer, Broker):
        pass

    producer = Faulty({"bootstrap.servers": "localhost:1", "log_level": 0})
    arm_fault("commit_transaction", 2)
    try:
        producer.commit_transaction(1)
        with pytest.raises(confluent_kafka.KafkaException) as err:
            producer.commit_transaction(1)
        assert err.value.args[0].txn_requires_abort() and not err.value.args[0].retriable()
        with pytest.raises(confluent_kafka.KafkaException):
            producer.send_offsets_to_transaction([], None, 1)
        producer.abort_transaction(1)
        producer.commit_transaction(1)
        assert calls == ["commit_transaction", "abort_transaction", "commit_transaction"]
    finally:
        arm_fault(None)


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
