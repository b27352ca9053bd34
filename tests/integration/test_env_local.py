"""The local backend against real Kafka: round trip, failover without loss, faults, errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from kafkalab import start_cluster
from kafkalab.clients import consume, produce
from kafkalab.exceptions import (
    BrokerStartError,
    FaultInjectionUnavailableError,
    PortInUseError,
)


def test_round_trip(cluster, topic_name: str) -> None:
    cluster.create_topic(topic_name, partitions=2)
    sent = produce(cluster.producer_config(), topic_name, [f"v{i}" for i in range(200)],
                   keys=[f"k{i % 7}" for i in range(200)])
    assert {r.partition for r in sent} <= {0, 1} and len(sent) == 200
    got = consume(cluster.client_config(), [topic_name], max_messages=200, timeout=30)
    assert sorted(r.value for r in got) == sorted(f"v{i}" for i in range(200))
    assert {(r.partition, r.offset) for r in got} == {(r.partition, r.offset) for r in sent}


def test_reuse_returns_the_running_cluster() -> None:
    a = start_cluster(1, backend="local", heap_mb=200)
    try:
        assert start_cluster(1, backend="local", heap_mb=200) is a
    finally:
        a.stop()
    assert not a.alive()


def test_acks_all_loses_nothing_when_the_leader_is_killed(cluster3, leader_kill_run) -> None:
    run = leader_kill_run(cluster3, total=3000, kill_at=1000)
    assert run.new_leader != run.leader
    assert set(run.acked) <= set(run.consumed), "an acknowledged message was lost"
    assert len(run.consumed) == len(set(run.consumed)), "idempotence: no duplicates"
    assert not run.errors and len(run.acked) == 3000
    assert run.leader in run.isr_after_restart


def test_pause_takes_a_follower_out_of_the_isr_and_resume_brings_it_back(cluster3) -> None:
    topic = cluster3.create_topic(partitions=1, replication_factor=3)
    desc = cluster3.describe([topic])
    leader = desc.leader(topic, 0)
    follower = next(b for b in desc.partition(topic, 0).replicas if b != leader)
    # the producer bootstraps from the leader alone: a frozen broker accepts connections and
    # never answers, so a client that picked it first would wait out its request timeouts
    host = cluster3.bootstrap_servers.split(",")[0].rsplit(":", 1)[0]
    config = cluster3.producer_config(acks="1",
                                      bootstrap_servers=f"{host}:{cluster3.broker(leader).ports[0]}")
    cluster3.broker(follower).pause()
    try:
        # replica.lag.time.max.ms is 10 s: the frozen follower must drop out of the ISR.
        produce(config, topic, ["x"] * 10)
        isr = cluster3.wait_until_isr(topic, excludes=[follower], timeout=60)
        assert follower not in isr
        assert cluster3.broker(follower).running  # paused, not dead
    finally:
        cluster3.broker(follower).resume()
    assert follower in cluster3.wait_until_isr(topic, contains=[follower], timeout=60)


def test_clean_stop_moves_leadership_and_restart_rejoins(cluster3) -> None:
    topic = cluster3.create_topic(partitions=1, replication_factor=3)
    leader = cluster3.leader(topic)
    cluster3.broker(leader).stop()
    try:
        assert not cluster3.broker(leader).running
        assert cluster3.wait_until_leader(topic, not_on=leader) != leader
    finally:
        cluster3.broker(leader).start()
    cluster3.wait_until_brokers(count=3)
    assert leader in cluster3.wait_until_isr(topic, contains=[leader])


def test_external_backend_refuses_fault_injection(cluster) -> None:
    ext = start_cluster(backend="external", bootstrap_servers=cluster.bootstrap_servers)
    assert ext.backend == "external" and ext.describe().brokers
    with pytest.raises(FaultInjectionUnavailableError, match="external"):
        ext.broker(ext.broker_ids[0]).kill()
    ext.stop()
    assert cluster.alive(), "stopping an external cluster must not stop it"


def test_port_in_use_is_named() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(PortInUseError, match=str(port)):
            start_cluster(1, backend="local", ports=[port], reuse=False)


def test_a_broker_that_cannot_start_shows_its_log_tail() -> None:
    with pytest.raises(BrokerStartError, match="broker-1 failed to start") as info:
        start_cluster(1, backend="local", reuse=False,
                      broker_config={"num.io.threads": "not-a-number"})
    first_line = str(info.value).splitlines()[0]  # the reason, before the log's tail
    assert "its JVM exited (" in first_line and "num.io.threads" in first_line, first_line


CHILD = textwrap.dedent("""
    import json, sys, time
    from kafkalab import start_cluster
    c = start_cluster(brokers=%d, mode=%r, backend="local", reuse=False)
    pids = [n.pid for n in c._backend.nodes]
    print(json.dumps(pids), flush=True)
    time.sleep(600)
""")


@pytest.mark.parametrize("brokers,mode", [(1, "kraft"), (1, "zookeeper")])
def test_no_orphans_when_the_owner_is_sigkilled(brokers: int, mode: str) -> None:
    """A Jupyter kernel restart SIGKILLs the kernel: its brokers must die with it."""
    if os.name == "nt":
        pytest.skip("SIGKILL is POSIX")
    env = {**os.environ, "KAFKA_LAB_FRESH": "1"}
    child = subprocess.Popen([sys.executable, "-c", CHILD % (brokers, mode)],
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()
        pids = json.loads(line)
        assert pids and all(psutil.pid_exists(p) for p in pids)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids), "a JVM outlived the process that started it"


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_broker_restarted_from_a_thread_survives_the_thread(cluster3) -> None:
    """A broker's life is tied to the process that started it, never to the thread: a restart
    from a worker thread survives that thread's end."""
    import threading

    node = cluster3.broker(3)
    node.kill()
    worker = threading.Thread(target=node.start)
    worker.start()
    worker.join(120)
    time.sleep(2)  # the thread is gone: a death signal tied to it would have fired by now
    assert node.running
    cluster3.wait_until_brokers(count=3)


@pytest.mark.parametrize("mode", ["kraft", "zookeeper"])
def test_the_class_archive_is_accepted_by_the_runtime_that_made_it(mode: str) -> None:
    """The archive `kafka-lab fetch` made is one the runtime maps (the JVM told to refuse to
    start without it starts), and brokers are started with it."""
    from kafkalab.backends.cache import cds_archive, cds_flags
    from kafkalab.backends.plan import Mode
    from kafkalab.backends.properties import JVM_FLAGS
    from kafkalab.jars import ensure_jars
    from kafkalab.java import find_java
    from kafkalab.warmup import make_cds_archive

    version = Mode.parse(mode).version
    assert make_cds_archive(mode) == cds_archive(version)
    flags = cds_flags(version)
    strict = "-XX:AOTMode=on" if cds_archive(version).suffix == ".aot" else "-Xshare:on"
    out = subprocess.run([str(find_java()), *JVM_FLAGS, *flags, strict,
                          "-cp", f"{ensure_jars(f'kafka-{version}')}/*", "-version"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    with start_cluster(1, mode, "local", reuse=False) as c:
        cmdline = psutil.Process(c.nodes[-1].pid).cmdline()
        assert flags[0] in cmdline


def test_a_new_clusters_first_group_joins_without_waiting_for_its_coordinator() -> None:
    """A group that asks a new cluster while its coordinator (a ``__consumer_offsets``
    partition) is still loading is told NOT_COORDINATOR and waits about 3 s to join again;
    ``consumer_config`` waits for ``prepare_groups`` instead (about 0.2 s). librdkafka's
    group log (``debug=cgrp``) says whether any JoinGroup was refused."""
    import logging

    from confluent_kafka import Consumer

    class Lines(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    seen = Lines()
    log = logging.getLogger("kafka-lab-test-cgrp")
    log.addHandler(seen)
    log.setLevel(logging.DEBUG)
    with start_cluster(1, backend="local", reuse=False) as cluster:
        topic = cluster.create_topic(prefix="first-group")
        produce(cluster.producer_config(), topic, ["one"])
        consumer = Consumer(cluster.consumer_config("first-group", debug="cgrp"), logger=log)
        try:
            consumer.subscribe([topic])
            got, deadline = None, time.monotonic() + 30
            while got is None and time.monotonic() < deadline:
                msg = consumer.poll(0.2)
                if msg is not None and msg.error() is None:
                    got = msg.value()
        finally:
            consumer.close()
    assert got == b"one"
    joins = [ln for ln in seen.lines if "JoinGroup response" in ln]
    assert joins, "librdkafka logged no JoinGroup response (did debug=cgrp change?)"
    refused = [ln for ln in joins if "Not coordinator" in ln]
    assert not refused, f"the first group was refused by a loading coordinator: {refused[0]}"
