"""The docker backend against real Kafka in containers: the same faults as the local backend."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest
from kazoo.client import KazooClient

from kafkalab import start_cluster
from kafkalab.backends.docker import LABEL, LABEL_CLUSTER, docker_available
from kafkalab.clients import consume, produce
from kafkalab.exceptions import BrokerStartError, DockerUnavailableError, KafkaLabError
from kafkalab.lessons.zookeeper import controller_id


def _containers(label: str) -> list:
    import docker

    # ignore_removed: the watchdog may remove a container between docker's list and inspect
    return docker.from_env().containers.list(all=True, filters={"label": label},
                                             ignore_removed=True)


def _networks(label: str) -> list:
    import docker

    return docker.from_env().networks.list(filters={"label": label})


@pytest.fixture(scope="module")
def dcluster3(docker_image: str) -> Iterator:
    with start_cluster(3, backend="docker", image=docker_image, reuse=False, timeout=240) as c:
        yield c


def test_docker_available_fails_fast_with_a_reason(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    t0 = time.monotonic()
    with pytest.raises(DockerUnavailableError, match="nonexistent"):
        docker_available()
    assert time.monotonic() - t0 < 2


def test_a_missing_image_says_how_to_build_one(docker_image: str) -> None:
    with pytest.raises(KafkaLabError, match="kafka-lab image build"):
        start_cluster(1, backend="docker", image="kafka-lab/absent:none", reuse=False)


def test_a_broker_that_cannot_start_shows_its_log_tail(docker_image: str) -> None:
    with pytest.raises(BrokerStartError, match="broker-1") as info:
        start_cluster(1, backend="docker", image=docker_image, reuse=False,
                      broker_config={"num.io.threads": "not-a-number"})
    first_line = str(info.value).splitlines()[0]  # the reason, before the log's tail
    assert "num.io.threads" in first_line, first_line


def test_round_trip_pause_resume_and_cleanup(docker_image: str) -> None:
    with start_cluster(1, backend="docker", image=docker_image, reuse=False) as c:
        label = f"{LABEL_CLUSTER}={c.state()['prefix']}"
        assert c.backend == "docker" and len(_containers(label)) == 1
        topic = c.create_topic(partitions=2)
        sent = produce(c.producer_config(), topic, [f"v{i}" for i in range(100)],
                       keys=[f"k{i % 5}" for i in range(100)])
        got = consume(c.client_config(), [topic], max_messages=100, timeout=30)
        assert sorted(r.value for r in got) == sorted(f"v{i}" for i in range(100))
        assert {(r.partition, r.offset) for r in got} == {(r.partition, r.offset) for r in sent}
        assert c.controller() == 1 and c.memory_bytes() > 50 * 2**20
        assert "Kafka Server started" in c.broker(1).log_tail(200)

        c.broker(1).pause()
        assert c.broker(1).running  # frozen, not dead
        with pytest.raises(Exception):  # noqa: B017 (any client error: the broker is silent)
            c.admin().list_topics(timeout=2)
        c.broker(1).resume()
        # a broker frozen past its registration session is fenced, then registers again:
        # wait until it leads its partitions again, as a client would retry
        c.wait_until_ready(timeout=60)
        for p in range(2):
            c.wait_until_leader(topic, p, timeout=60)
        produce(c.producer_config(), topic, ["after-resume"])
        values = [r.value for r in consume(c.client_config(), [topic], max_messages=101,
                                           timeout=60)]
        assert "after-resume" in values, (f"read {len(values)} records after resume; the "
                                          f"broker's log:\n{c.broker(1).log_tail(3000)}")
    assert _containers(label) == [] and _networks(label) == []


def test_acks_all_loses_nothing_when_the_leader_is_killed(dcluster3, leader_kill_run) -> None:
    run = leader_kill_run(dcluster3, total=2000, kill_at=700)
    assert run.new_leader != run.leader
    assert set(run.acked) <= set(run.consumed), "an acknowledged message was lost"
    assert len(run.consumed) == len(set(run.consumed)), "idempotence: no duplicates"
    assert not run.errors and len(run.acked) == 2000
    # The killed broker restarts from the same container and data, and rejoins the ISR.
    assert run.leader in run.isr_after_restart


def test_kraft_controller_is_the_quorum_leader(dcluster3) -> None:
    # Kafka's own kafka-metadata-quorum tool names the leader; describe() reads the nodes'
    # quorum-state files inside the containers: the two must agree.
    out = dcluster3.run_tool("org.apache.kafka.tools.MetadataQuorumCommand", "describe",
                             "--status").stdout
    leader = int(re.search(r"LeaderId:\s+(\d+)", out).group(1))
    assert leader in (1, 2, 3)
    assert dcluster3.describe(topics=[]).controller == leader


def test_paused_follower_leaves_the_isr_and_comes_back(dcluster3) -> None:
    topic = dcluster3.create_topic(partitions=1, replication_factor=3)
    desc = dcluster3.describe([topic])
    follower = next(b for b in desc.partition(topic, 0).replicas if b != desc.leader(topic, 0))
    dcluster3.broker(follower).pause()
    try:
        produce(dcluster3.producer_config(acks="1"), topic, ["x"] * 10)
        assert follower not in dcluster3.wait_until_isr(topic, excludes=[follower], timeout=60)
        assert dcluster3.broker(follower).running
    finally:
        dcluster3.broker(follower).resume()
    assert follower in dcluster3.wait_until_isr(topic, contains=[follower], timeout=60)


def test_zookeeper_sees_broker_and_controller_changes(docker_image: str) -> None:
    with start_cluster(2, mode="zookeeper", backend="docker", image=docker_image,
                       reuse=False, timeout=240) as c:
        zk = KazooClient(hosts=c.zookeeper_connect, timeout=10)
        zk.start(timeout=30)
        try:
            assert sorted(zk.get_children("/brokers/ids")) == ["1", "2"]
            controller = controller_id(zk)
            other = 2 if controller == 1 else 1
            c.broker(other).kill()  # a non-controller: only its ephemeral znode goes
            _until(lambda: str(other) not in zk.get_children("/brokers/ids"), 30)
            assert controller_id(zk) == controller
            c.broker(other).start()
            _until(lambda: str(other) in zk.get_children("/brokers/ids"), 60)
            c.broker(controller).kill()  # the controller: /controller moves to the other
            _until(lambda: controller_id(zk) == other, 30)  # None while nobody holds it
            assert str(controller) not in zk.get_children("/brokers/ids")
        finally:
            zk.stop()
            zk.close()


def _until(predicate, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


CHILD = textwrap.dedent("""
    import sys, time
    from kafkalab import start_cluster
    from kafkalab.backends.docker.engine import SESSION  # the label value of this process
    c = start_cluster(1, backend="docker", image=sys.argv[1], reuse=False)
    print(SESSION, flush=True)
    time.sleep(600)
""")


def test_no_container_left_when_the_owner_is_sigkilled(docker_image: str) -> None:
    if os.name == "nt":
        pytest.skip("SIGKILL is POSIX")
    child = subprocess.Popen([sys.executable, "-c", CHILD, docker_image, LABEL],
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "KAFKA_LAB_FRESH": "1"})
    try:
        session = child.stdout.readline().strip()
        label = f"{LABEL}={session}"
        assert session and len(_containers(label)) == 1
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (_containers(label) or _networks(label)):
        time.sleep(0.25)
    assert _containers(label) == [], "a container outlived the process that started it"
    assert _networks(label) == []
