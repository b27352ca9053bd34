"""Lesson 01's Kafka parts against a real broker: the service's front door appends each request
and answers 202 once acknowledged; worker pods consume it and the group's lag drains to 0."""

from __future__ import annotations

import httpx

from kafkalab.clients import read_to_end
from kafkalab.lessons import request_response as rr


def test_front_door_workers_and_lag(cluster) -> None:
    topic = cluster.create_topic(partitions=2, prefix="requests")
    with rr.Service(cluster, topic=topic, service_ms=1) as service:
        answers = [httpx.post(f"{service.url}/submit", timeout=30) for _ in range(20)]
        assert service.metrics()["accepted"] == 20
    assert [a.status_code for a in answers] == [202] * 20
    ids = sorted(a.json()["id"] for a in answers)
    stored = read_to_end(cluster.client_config(), topic)
    assert sorted(m.key().decode() for m in stored) == ids
    assert rr.topic_size(cluster, topic) == 20
    assert rr.retention_ms(cluster, topic) == 7 * 24 * 3600 * 1000  # Kafka's default: 7 days
    group = f"pods-{topic}"
    assert rr.group_lag(cluster, topic, group) == 20  # nothing committed yet
    with rr.KafkaWorkers(cluster, topic, group, pods=2, service_ms=1) as workers, \
            rr.LagMonitor(cluster, topic, group, every=0.1) as monitor:
        assert monitor.wait_drained(60) is not None
    assert sorted(d["id"] for d in workers.done) == ids
    assert rr.group_lag(cluster, topic, group) == 0


def _loop(acks: str, commit_first: bool):
    import json
    import time

    def pod_loop(consumer, producer, stop) -> None:
        while not stop.is_set():
            msg = consumer.poll(0.2)
            if msg is None or msg.error():
                continue
            request = json.loads(msg.value())
            rr.process(request, 5)
            if commit_first:
                consumer.commit(message=msg, asynchronous=False)
            producer.produce(acks, key=request["id"],
                             value=json.dumps({"id": request["id"], "t_done": time.time()}))
            producer.flush(10)
            if not commit_first:
                consumer.commit(message=msg, asynchronous=False)
    return pod_loop


def test_crash_run_tells_commit_after_ack_from_commit_before(cluster) -> None:
    acks = cluster.create_topic(prefix="acks")
    good = rr.crash_run(cluster, _loop(acks, commit_first=False), acks, n=6, crash_at=3)
    assert good.crashed and not good.errors and not good.lost, good
    assert sum(good.acks.values()) >= 6
    bad = rr.crash_run(cluster, _loop(acks, commit_first=True), acks, n=6, crash_at=3)
    assert bad.crashed and len(bad.lost) == 1, bad  # the request it was acking when it died


def _batch_loop(acks: str, commit_all: bool):
    import json
    import time

    def pod_loop(consumer, producer, stop) -> None:
        while not stop.is_set():
            batch = [m for m in consumer.consume(num_messages=5, timeout=0.3) if not m.error()]
            if not batch:
                continue
            for msg in batch:
                request = json.loads(msg.value())
                rr.process(request, 5)
                producer.produce(acks, key=request["id"],
                                 value=json.dumps({"id": request["id"], "t_done": time.time()}))
            producer.flush(10)
            if commit_all:  # the consumer's positions: one past each record returned
                consumer.commit(asynchronous=False)
            else:  # the batch's last record only: one partition
                consumer.commit(message=batch[-1], asynchronous=False)
    return pod_loop


def test_one_pod_run_tells_a_full_commit_from_a_batch_last_commit(cluster) -> None:
    acks = cluster.create_topic(prefix="acks")
    good = rr.one_pod_run(cluster, _batch_loop(acks, commit_all=True), acks)
    assert not good.errors and len(good.acked) == 12 and good.lag == 0, good
    bad = rr.one_pod_run(cluster, _batch_loop(acks, commit_all=False), acks)
    assert not bad.errors and len(bad.acked) == 12 and bad.lag > 0, bad
