"""The exercises' second ZooKeeper tree: a Kafka-shaped state written only in ZooKeeper.

The graded tests write a small tree of znodes (brokers, a controller, a topic's partition
states) under a fresh root, in the same JSON formats Kafka's brokers write, and hand the
student's functions a kazoo client whose root (chroot) is that folder. No broker knows this
state, so only a function that reads the ZooKeeper it is given can answer; the admin API, a
global client or a guess answers about the real cluster instead.

:func:`exam_state` makes the tree (pure, seeded), :func:`written_state` writes it and yields
the chrooted client, and removes the tree afterwards. As on a real cluster, the brokers'
registrations ``/brokers/ids/<id>`` and ``/controller`` are ephemeral znodes (owned by the
session of the client that writes them), the rest persistent. :func:`elect_controller` and
:func:`move_leader` change the tree as an election or a failover would, so that a test can ask
the same client again after a change.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kazoo.client import KazooClient


@dataclass(frozen=True)
class ExamState:
    """The znodes to write (path -> bytes) and the answers they imply."""

    znodes: dict[str, bytes]
    brokers: list[int]
    controller: int | None
    topic: str
    leaders: dict[int, int] = field(default_factory=dict)


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def is_ephemeral(path: str) -> bool:
    """Whether Kafka's brokers hold ``path`` as an ephemeral znode (a broker's registration,
    the controller's claim): it lives only as long as the session that created it."""
    return path == "/controller" or path.startswith("/brokers/ids/")


def _controller_data(broker: int) -> bytes:
    return _json({"version": 2, "brokerid": broker, "timestamp": "1700000000000",
                  "kraftControllerEpoch": -1})


def exam_state(seed: int | None = None, with_controller: bool = True,
               topic: str = "exam") -> ExamState:
    """A state no real broker knows: broker ids of one, two and three digits (so sorting their
    names as text gives the wrong order), registered in shuffled order; a controller that is not
    the lowest id and whose epoch differs from its id (or no controller at all); a topic whose
    current leaders are neither the preferred replica nor the first of the ISR, and one
    partition with no leader (-1)."""
    rng = random.Random(seed)
    brokers = [rng.randrange(5, 10), rng.randrange(10, 50), rng.randrange(100, 500)]
    order = brokers[:]
    rng.shuffle(order)
    znodes: dict[str, bytes] = {"/brokers/ids": b"", "/brokers/topics": b"", "/config": b""}
    for b in order:
        znodes[f"/brokers/ids/{b}"] = _json({
            "features": {}, "listener_security_protocol_map": {"PLAINTEXT": "PLAINTEXT"},
            "endpoints": [f"PLAINTEXT://10.0.0.{b % 250}:9092"], "jmx_port": -1, "port": 9092,
            "host": f"10.0.0.{b % 250}", "version": 5, "timestamp": "1700000000000"})
    controller = rng.choice(brokers[1:])  # never the lowest id
    epoch = rng.choice([e for e in range(2, 40) if e not in brokers])
    znodes["/controller_epoch"] = str(epoch).encode()  # outlives the controller
    if with_controller:
        znodes["/controller"] = _controller_data(controller)
    else:
        controller = None
    # a dead broker still holds replicas (it is in the assignment, not in /brokers/ids)
    dead = rng.choice([d for d in range(1000, 1100)])
    assignment: dict[str, list[int]] = {}
    leaders: dict[int, int] = {}
    for p in range(3):
        replicas = [dead] + rng.sample(brokers, 2) if p < 2 else rng.sample(brokers, 3)
        assignment[str(p)] = replicas
        # the leader is a live replica that is neither the preferred one (replicas[0]) nor
        # first in the ISR
        live = [r for r in replicas if r != dead]
        leader = live[-1]
        isr = [r for r in live if r != leader] + [leader]
        leaders[p] = leader
        znodes[f"/brokers/topics/{topic}/partitions/{p}/state"] = _json(
            {"controller_epoch": 7, "leader": leader, "version": 1, "leader_epoch": 3,
             "isr": isr})
    offline = 3  # every replica of this partition is down: no leader
    assignment[str(offline)] = [dead]
    leaders[offline] = -1
    znodes[f"/brokers/topics/{topic}/partitions/{offline}/state"] = _json(
        {"controller_epoch": 7, "leader": -1, "version": 1, "leader_epoch": 4, "isr": [dead]})
    znodes[f"/brokers/topics/{topic}"] = _json({"partitions": assignment, "topic_id":
                                                "AAAAAAAAAAAAAAAAAAAAAA", "adding_replicas": {},
                                                "removing_replicas": {}, "version": 3})
    return ExamState(znodes, sorted(brokers), controller, topic, leaders)


@contextmanager
def written_state(zk: KazooClient, hosts: str, state: ExamState,
                  timeout: float = 15.0) -> Iterator[KazooClient]:
    """Write ``state`` under a fresh root ``/exam-<hex>`` with ``zk``, yield a kazoo client
    rooted there (``hosts`` + chroot), then stop that client and delete the tree.

    The brokers' registrations and ``/controller`` are ephemeral (see :func:`is_ephemeral`),
    owned by ``zk``'s session: they last while ``zk`` is connected (the whole ``with`` block,
    when ``zk`` is the notebook's client), and vanish if ``zk`` closes earlier."""
    root = f"/exam-{uuid.uuid4().hex[:8]}"
    # parents before children, so each znode keeps its own data
    for path in sorted(state.znodes, key=lambda p: p.count("/")):
        if is_ephemeral(path):
            zk.create(root + path, state.znodes[path], ephemeral=True, makepath=True)
        else:
            zk.ensure_path(root + path)
            zk.set(root + path, state.znodes[path])
    client = KazooClient(hosts=hosts.split(",")[0] + root, timeout=timeout)
    client.start(timeout=timeout)
    client.sync("/")  # sees every write of ``zk``, even through another server
    try:
        yield client
    finally:
        client.stop()
        client.close()
        zk.delete(root, recursive=True)


def elect_controller(zk: KazooClient, broker: int | None) -> None:
    """End the current controller's term in ``zk``'s tree (its ephemeral ``/controller``
    vanishes) and, unless ``broker`` is None, let ``broker`` win the next election: it
    creates ``/controller`` (ephemeral, owned by ``zk``'s session) and the epoch goes up."""
    if zk.exists("/controller"):
        zk.delete("/controller")
    if broker is None:
        return
    data, _ = zk.get("/controller_epoch")
    zk.set("/controller_epoch", str(int(data) + 1).encode())
    zk.create("/controller", _controller_data(broker), ephemeral=True)


def move_leader(zk: KazooClient, topic: str, partition: int) -> int:
    """Fail a partition's leader over in ``zk``'s tree, as the controller does when the leader
    dies: another in-sync replica leads, the old one leaves the ISR, the leader epoch goes up.
    Returns the new leader."""
    path = f"/brokers/topics/{topic}/partitions/{partition}/state"
    data, _ = zk.get(path)
    state = json.loads(data)
    others = [b for b in state["isr"] if b != state["leader"]]
    if state["leader"] == -1 or not others:
        raise ValueError(f"{topic}-{partition} has no other in-sync replica to lead")
    state.update(leader=others[0], isr=others, leader_epoch=state["leader_epoch"] + 1)
    zk.set(path, _json(state))
    return others[0]
