"""Lesson 04 support against a real broker: group assignment, crash-and-resume accounting,
a worker pool surviving SIGKILL, and lag as Kafka's own tool reports it."""

from __future__ import annotations

from pathlib import Path

from kafkalab.clients import produce
from kafkalab.lessons.consumers import (
    Group,
    commit_offsets,
    committed,
    crash_and_resume,
    end_offsets,
    kafka_tool_lag,
    moves,
    pool_with_crash,
)


def reference_worker(config, topic, process, should_stop):  # runs in a worker process
    consumer = Consumer({**config, "enable.auto.commit": False})  # noqa: F821 - worker prelude
    consumer.subscribe([topic])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(50, 0.5) if m.error() is None]
            for msg in batch:
                process(msg)
            if batch:
                consumer.commit(asynchronous=False)
    finally:
        consumer.close()


def broken_worker(config, topic, process, should_stop):
    raise ValueError("broken on purpose")


def test_group_spreads_partitions_and_leaves_extra_members_idle(cluster) -> None:
    topic = cluster.create_topic(partitions=2, replication_factor=1)
    group = Group(cluster, topic, "t-group")
    try:
        steps = []
        for _ in range(3):
            group.add()
            steps.append(("joined", group.settle(2, stable=1.0), 0.0))
        final = steps[-1][1]
        assert sorted(p for ps in final.values() for p in ps) == [0, 1]
        assert sum(1 for ps in final.values() if not ps) == 1
        assert moves(steps)[0] == 2
    finally:
        group.close()


def test_crash_after_processing_redelivers_the_uncommitted_tail(cluster, tmp_path: Path) -> None:
    topic = cluster.create_topic(partitions=2, replication_factor=1)
    produce(cluster.producer_config(), topic, [str(i) for i in range(200)])
    result = crash_and_resume(cluster, topic, "t-crash", tmp_path, "after", kill_after=70,
                              batch=30, delay=0.01)
    assert result.missing == 0
    assert result.redelivered == result.processed_before_kill - result.committed_at_kill > 0
    assert result.resumed_after > 3  # the dead member held its partitions (session timeout 6 s)


def auto_commit_worker(config, topic, process, should_stop):  # the notes' loop, bounded
    consumer = Consumer(config)  # noqa: F821 - worker prelude
    consumer.subscribe([topic])
    while not should_stop():
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        process(msg)
    consumer.close()


def test_pool_with_crash_tells_commit_after_processing_from_auto_commit(cluster,
                                                                       tmp_path: Path) -> None:
    topic = cluster.create_topic(partitions=3, replication_factor=1)
    produce(cluster.producer_config(), topic, [f"job-{i}" for i in range(240)],
            keys=[f"k{i}" for i in range(240)])
    good = pool_with_crash(cluster, reference_worker, topic, "t-pool", tmp_path / "good",
                           workers=3, crash_after=20, delay=0.005)
    assert good.killed and good.missing == 0 and good.committed_to_end, good
    assert good.crash["committed"] <= good.crash["offset"]
    assert committed(cluster, "t-pool", topic) == end_offsets(cluster, topic)  # all had records
    auto = pool_with_crash(cluster, auto_commit_worker, topic, "t-pool-auto", tmp_path / "auto",
                           workers=3, crash_after=20, delay=0.005)
    assert auto.crash["committed"] > auto.crash["offset"], auto.crash_story()
    assert auto.missing > 0, auto
    bad = pool_with_crash(cluster, broken_worker, topic, "t-pool-bad", tmp_path / "bad",
                          workers=2, crash_after=10, timeout=20)
    assert "broken on purpose" in bad.errors and bad.missing == bad.messages


def final_commit_worker(config, topic, process, should_stop):  # commits only when asked to stop
    consumer = Consumer({**config, "enable.auto.commit": False})  # noqa: F821 - worker prelude
    consumer.subscribe([topic])
    try:
        while not should_stop():
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                process(msg)
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()


def endless_worker(config, topic, process, should_stop):  # never looks at should_stop()
    consumer = Consumer({**config, "enable.auto.commit": False})  # noqa: F821 - worker prelude
    consumer.subscribe([topic])
    while True:
        batch = [m for m in consumer.consume(50, 0.5) if m.error() is None]
        for msg in batch:
            process(msg)
        if batch:
            consumer.commit(asynchronous=False)


def test_pool_judges_commits_after_the_stop_and_kills_a_worker_that_does_not_return(
        cluster, tmp_path: Path) -> None:
    topic = cluster.create_topic(partitions=2, replication_factor=1)
    produce(cluster.producer_config(), topic, [f"job-{i}" for i in range(60)],
            keys=[f"k{i}" for i in range(60)])
    final = pool_with_crash(cluster, final_commit_worker, topic, "t-pool-final",
                            tmp_path / "final", workers=2, crash_after=1000, delay=0.002)
    assert final.missing == 0 and final.committed_to_end and not final.stuck, final
    endless = pool_with_crash(cluster, endless_worker, topic, "t-pool-endless",
                              tmp_path / "endless", workers=2, crash_after=1000, delay=0.002,
                              stop_wait=3)
    assert endless.missing == 0 and endless.committed_to_end, endless
    assert sorted(endless.stuck) == ["w1", "w2"], endless


def test_kafka_tool_lag_and_commits_work_on_a_managed_cluster() -> None:
    """Exercise 2's reference (Kafka's own tool) on a SASL_SSL cluster: run_tool passes the
    cluster's security settings."""
    from kafkalab import start_cluster

    with start_cluster(security="managed", backend="local", reuse=False) as managed:
        topic = managed.create_topic(partitions=2, replication_factor=1)
        producer = managed.producer()
        for i in range(7):
            producer.produce(topic, value=str(i), partition=i % 2)
        producer.flush(10)
        commit_offsets(managed, "t-lag-managed", {(topic, 0): 1, (topic, 1): 3})
        assert kafka_tool_lag(managed, "t-lag-managed") == {(topic, 0): 3, (topic, 1): 0}


def test_kafka_tool_lag_matches_committed_offsets(cluster) -> None:
    topic = cluster.create_topic(partitions=2, replication_factor=1)
    producer = cluster.producer()
    for p, n in ((0, 12), (1, 5)):
        for i in range(n):
            producer.produce(topic, value=str(i), partition=p)
    producer.flush(10)
    commit_offsets(cluster, "t-lag", {(topic, 0): 2, (topic, 1): 5})
    assert kafka_tool_lag(cluster, "t-lag") == {(topic, 0): 10, (topic, 1): 0}
    commit_offsets(cluster, "t-lag-part", {(topic, 1): 1})  # no committed offset in partition 0
    assert kafka_tool_lag(cluster, "t-lag-part") == {(topic, 1): 4}


def test_a_group_survives_the_loss_of_its_partition_leader_and_coordinator(cluster3) -> None:
    """Section 5's claim, with the lesson's own function: SIGKILL the broker that leads a
    partition and coordinates the group while records flow; no acknowledged record is lost and
    reading resumes within the broker session timeout plus a margin."""
    from kafkalab.lessons.consumers import broker_loss

    try:
        loss = broker_loss(cluster3, rate=200, after=0.5, progress=False)
    finally:
        cluster3.heal()
    assert loss.affected and loss.victim != loss.controller_before, loss.roles  # 05 kills those
    assert loss.session_timeout_ms == 2000  # as a surviving broker reports it
    # the victim coordinates the group unless it leads no __consumer_offsets partition (after
    # earlier tests restarted brokers, leadership may not have moved back to it yet)
    assert loss.coordinator_after not in (None, loss.victim)
    assert all(loss.leaders_after[p] not in (-1, loss.victim) for p in loss.affected)
    assert loss.failed == 0 and len(loss.produced) > 200  # the producer wrote through the kill
    assert loss.lost == 0, f"{loss.lost} acknowledged records never read"
    resumed = loss.resumed_after()
    assert resumed is not None and resumed <= loss.expected_gap + 5, (
        f"read again {resumed} s after the kill, expected within {loss.expected_gap} s + 5 s")
    assert max(d.t for d in loss.deliveries if d.partition in loss.affected) > loss.elected_at
