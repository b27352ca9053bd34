"""Group membership seen from inside one process: :class:`Group`, and how many partitions
moved from one step to the next (:func:`moves`)."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from ...cluster import Cluster


class Group:
    """Consumers of one group living in this process, polled in turn so that each rebalance
    completes; :meth:`settle` returns who owns which partition once nothing changes."""

    def __init__(self, cluster: Cluster, topic: str, group: str, **overrides: Any) -> None:
        self.cluster, self.topic, self.group = cluster, topic, group
        self.overrides = overrides
        self.members: dict[str, Consumer] = {}
        self.rebalances = 0
        self.revoked = 0  # partitions taken away from members (eager: all; KIP-848: moved ones)

    def add(self, name: str | None = None) -> str:
        name = name or f"c{len(self.members) + 1}"
        conf = {**self.cluster.consumer_config(self.group), "log_level": 0, **self.overrides}
        consumer = Consumer(conf)

        def on_assign(_c: Consumer, _parts: list[TopicPartition]) -> None:
            self.rebalances += 1

        def on_revoke(_c: Consumer, parts: list[TopicPartition]) -> None:
            self.revoked += len(parts)

        consumer.subscribe([self.topic], on_assign=on_assign, on_revoke=on_revoke)
        self.members[name] = consumer
        return name

    def assignment(self) -> dict[str, list[int]]:
        return {n: sorted(tp.partition for tp in c.assignment()) for n, c in self.members.items()}

    def settle(self, partitions: int, stable: float = 1.5, timeout: float = 60.0,
               ) -> dict[str, list[int]]:
        """Poll every member until each partition has exactly one owner, as many members as
        possible own one, the assignment has not changed for ``stable`` seconds, and the group
        coordinator reports the group STABLE with every member."""
        deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
        while time.monotonic() < deadline:
            for c in self.members.values():
                c.poll(0.05)
            now = self.assignment()
            owned = sorted(p for ps in now.values() for p in ps)
            busy = sum(1 for ps in now.values() if ps)
            if now != last:
                last, since = now, time.monotonic()
            elif (owned == list(range(partitions)) and busy == min(len(now), partitions)
                  and time.monotonic() - since >= stable):
                if self.broker_view() == ("STABLE", len(self.members)):
                    return now
                since = time.monotonic()  # the broker has not finished: wait for another round
        raise TimeoutError(f"group {self.group} did not settle within {timeout} s: {last}. "
                           "Fix: close() consumers you no longer use, then try again.")

    def broker_view(self) -> tuple[str, int]:
        """The group's state and member count as its coordinator describes them."""
        try:
            desc = self.cluster.admin().describe_consumer_groups([self.group])[self.group]
            d = desc.result(5)
            return d.state.name, len(d.members)
        except Exception:  # e.g. NOT_COORDINATOR while the group is being created
            return "UNKNOWN", -1

    def close(self, name: str | None = None) -> None:
        """Leave the group cleanly (one member, or all): the others rebalance at once."""
        for n in [name] if name else list(self.members):
            self.members.pop(n).close()


def moves(steps: list[tuple[str, dict[str, list[int]], float]]) -> list[int]:
    """How many partitions changed owner at each step (the first step counts all)."""
    out, before = [], {}
    for _label, assignment, _s in steps:
        owner = {p: n for n, ps in assignment.items() for p in ps}
        out.append(sum(owner[p] != before.get(p) for p in owner))
        before = owner
    return out
