"""Both modes: time a controller (or leader) kill with the admin API, and bring brokers back."""

from __future__ import annotations

import time
from typing import Any

from ...cluster import Cluster


def describe_topics(cluster: Cluster, topics: list[str], timeout: float = 30.0) -> Any:
    """A description in which every named topic has a leader for each partition. (Brokers learn
    about a new topic one after the other, so right after creation one may not know it yet.)"""
    return cluster.wait_until(lambda d: all(d.topic(t) and all(p.leader >= 0 for p in d.topic(t))
                                            for t in topics), timeout,
                              f"{topics} to be known with leaders", topics=topics)


def measure_failover(cluster: Cluster, topic: str, victim: int | None = None,
                     timeout: float = 60.0) -> dict[str, Any]:
    """SIGKILL ``victim`` (default: the controller) and time, from the kill, until the admin
    API's metadata shows a new leader for every partition of ``topic`` the victim led.

    The signal is the same in both modes (a metadata request to a surviving broker), and a new
    leader needs a new controller first when the victim was the controller, so the time covers
    detection, the controller election and the leader election. The victim stays down
    (:func:`restore` starts it again)."""
    before = describe_topics(cluster, [topic])
    victim = before.controller if victim is None else victim
    was_controller = victim == before.controller
    led = [p.partition for p in before.topic(topic) if p.leader == victim]
    if not led:
        raise ValueError(f"Broker {victim} leads no partition of {topic}: nothing to time. "
                         "Run restore() first so every broker leads one.")
    t0 = time.monotonic()
    cluster.broker(victim).kill()
    cluster.wait_until(lambda d: all(d.leader(topic, p) not in (victim, -1) for p in led),
                       timeout, f"{topic}'s partitions to leave broker {victim}", topics=[topic])
    t_leaders = time.monotonic() - t0
    return {"mode": cluster.mode, "killed": victim, "was controller": was_controller,
            "partitions it led": len(led), "new leaders after (s)": round(t_leaders, 2)}


def restore(cluster: Cluster, topics: list[str], timeout: float = 120.0) -> float:
    """Start every stopped broker, wait until the ``topics``' ISRs are full again,
    then run a preferred leader election so leadership is spread as at creation. Returns
    the seconds it took."""
    from confluent_kafka import ElectionType, TopicPartition

    t0 = time.monotonic()
    down = [b for b in cluster.broker_ids if not cluster.broker(b).running]
    if down:
        # ZooKeeper mode refuses a broker whose old ephemeral znode has not expired yet.
        cluster.wait_until_brokers(excludes=down, timeout=timeout)
        cluster.start_brokers(down, timeout=timeout)
        cluster.wait_until_brokers(contains=down, timeout=timeout)
    desc = cluster.wait_until(lambda d: d.partitions and all(len(p.isr) == len(p.replicas)
                                                             for p in d.partitions),
                              timeout, f"the ISRs of {topics} to be full", topics=topics)
    parts = [TopicPartition(p.topic, p.partition) for p in desc.partitions]
    try:
        cluster.admin().elect_leaders(ElectionType.PREFERRED, parts).result(timeout=30)
    except Exception:  # ELECTION_NOT_NEEDED and friends: the wait below decides
        pass
    cluster.wait_until(lambda d: d.partitions and all(p.leader == p.replicas[0]
                                                      for p in d.partitions),
                       timeout, f"the preferred leaders of {topics}", topics=topics)
    return round(time.monotonic() - t0, 2)
