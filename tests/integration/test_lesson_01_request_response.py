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
    group = f"pods-{topic}"
    assert rr.group_lag(cluster, topic, group) == 20  # nothing committed yet
    with rr.KafkaWorkers(cluster, topic, group, pods=2, service_ms=1) as workers, \
            rr.LagMonitor(cluster, topic, group, every=0.1) as monitor:
        assert monitor.wait_drained(60) is not None
    assert sorted(d["id"] for d in workers.done) == ids
    assert rr.group_lag(cluster, topic, group) == 0
