"""Unclean leader election, live: a partition whose only in-sync replica dies stays offline while
``unclean.leader.election.enable=false``; once it is enabled, the out-of-sync replica becomes
leader and the records only the dead one had, acknowledged with ``acks=all``, are gone
(:func:`unclean_election`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from confluent_kafka import ElectionType, Producer, TopicPartition

from ...clients import read_to_end, send
from ...cluster import Cluster


@dataclass
class UncleanRun:
    topic: str
    leader: int  # the replica that was alone in the ISR, then killed
    follower: int  # the out-of-sync replica made leader by the unclean election
    acked_synced: int  # acks=all records written while both replicas were in sync
    acked_alone: int  # acks=all records acknowledged while the leader was alone in the ISR
    offline_answer: str  # what a write got while the partition had no leader
    offline_leader: int  # the partition's leader then (-1: none)
    offline_seconds: float  # how long the partition was watched without a leader
    found_synced: int = 0  # of acked_synced, how many the topic holds after the election
    found_alone: int = 0  # of acked_alone, how many the topic holds after the election
    found_after_return: int = 0  # of acked_alone, how many it holds once the old leader is back
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        """Acknowledged records missing after the old leader came back."""
        return self.acked_synced + self.acked_alone - self.found_synced - self.found_after_return


def _acked(cluster: Cluster, topic: str, prefix: str, count: int) -> int:
    """Produce ``count`` records with acks=all; return how many were acknowledged."""
    ok: list[bool] = []
    producer = Producer({**cluster.producer_config(), "acks": "all", "log_level": 0,
                         "message.timeout.ms": 10000})
    for i in range(count):
        send(producer, topic, f"{prefix}-{i}",
             on_delivery=lambda err, _m: ok.append(err is None))
    producer.flush(20)
    return sum(ok)


def _count(cluster: Cluster, topic: str, prefix: str) -> int:
    return sum(1 for m in read_to_end(cluster.client_config(), topic)
               if (m.value() or b"").decode().startswith(prefix + "-"))


def _set_unclean(cluster: Cluster, topic: str, enabled: bool) -> None:
    cluster.set_configs("topic", topic, {"unclean.leader.election.enable": enabled})


def unclean_election(cluster: Cluster, records: int = 100, watch: float = 3.0) -> UncleanRun:
    """The experiment (three brokers, none of the two replicas the active controller):

    1. a topic on two replicas, ``min.insync.replicas=1``, unclean election disabled;
       ``records`` records acknowledged with acks=all while both replicas are in sync;
    2. the follower stopped (cleanly): the leader is alone in the ISR; ``records`` more records
       acknowledged with acks=all (min.insync.replicas=1 allows it);
    3. the leader SIGKILLed, the follower started again: the only replica left is out of sync,
       so the partition has no leader; a write is tried and the partition watched ``watch`` s;
    4. unclean election enabled on the topic and triggered (KRaft checks the setting only every
       ``unclean.leader.election.interval.ms``, 5 minutes by default: an operator runs
       ``kafka-leader-election.sh --election-type unclean``, here the admin API's equivalent);
       the records the topic still holds are counted;
    5. the old leader started again: it becomes a follower, truncates its log to the new
       leader's, and the records are counted once more.
    """
    seconds: dict[str, float] = {}
    mark = time.monotonic()
    ctrl = cluster.controller()
    leader, follower = [b for b in cluster.broker_ids if b != ctrl][:2]
    topic = cluster.create_topic(prefix="unclean", replicas=[[leader, follower]],
                                 min_insync_replicas=1,
                                 config={"unclean.leader.election.enable": "false"})
    cluster.wait_until_isr(topic, 0, size=2)
    synced = _acked(cluster, topic, "synced", records)
    cluster.broker(follower).stop()
    cluster.wait_until_isr(topic, 0, excludes=[follower], timeout=30)
    alone = _acked(cluster, topic, "alone", records)
    seconds["write"] = time.monotonic() - mark

    mark = time.monotonic()
    cluster.broker(leader).kill()
    cluster.broker(follower).start(timeout=90)  # this code restarts it, not a client
    cluster.wait_until(lambda d: d.leader(topic, 0) < 0 and leader not in d.brokers, 60,
                       f"{topic}[0] to have no leader", topics=[topic])
    seconds["kill and restart"] = time.monotonic() - mark
    watched = time.monotonic()
    answers: list[str] = []
    probe = Producer({**cluster.producer_config(), "acks": "all", "log_level": 0,
                      "message.timeout.ms": int(watch * 1000)})
    probe.produce(topic, value=b"while-offline", on_delivery=lambda err, _m: answers.append(
        "acknowledged" if err is None else err.name()))
    probe.flush(watch + 5)
    offline_leader = cluster.describe([topic]).leader(topic, 0)
    offline_seconds = time.monotonic() - watched

    mark = time.monotonic()
    _set_unclean(cluster, topic, True)
    future = cluster.admin().elect_leaders(ElectionType.UNCLEAN, [TopicPartition(topic, 0)])
    future.result(30)
    cluster.wait_until_leader(topic, 0, timeout=30)
    seconds["unclean election"] = time.monotonic() - mark
    run = UncleanRun(topic, leader, follower, synced, alone,
                     answers[0] if answers else "no delivery report", offline_leader,
                     offline_seconds, seconds=seconds)
    run.found_synced = _count(cluster, topic, "synced")
    run.found_alone = _count(cluster, topic, "alone")

    mark = time.monotonic()
    cluster.broker(leader).start(timeout=90)
    cluster.wait_until_isr(topic, 0, size=2, timeout=90)
    run.found_after_return = _count(cluster, topic, "alone")
    seconds["old leader back"] = time.monotonic() - mark
    return run
