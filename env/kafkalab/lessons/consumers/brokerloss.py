"""A consumer group through the loss of a broker: :func:`broker_loss` kills the broker that leads
one of the group's partitions (the group's coordinator when it leads one) while a producer
writes steadily and the group reads, and measures what the members saw; :func:`longest_gaps`,
:func:`per_bin` and :func:`delivery_counts` are its pure arithmetic, :func:`election_story` and
:func:`survival_verdict` its sentences (each branch unit-tested with made-up measurements);
:func:`~kafkalab.lessons.consumers.plots.plot_broker_loss` draws it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

from ...clients import committed_offsets, group_settled, send, wait_until
from ...cluster import Cluster
from ...describe import ClusterDescription
from ...exceptions import ConfigReadError, KafkaLabError


@dataclass(frozen=True)
class Delivery:
    """One record handed to a member: when (seconds since the run began), where, what."""

    t: float
    partition: int
    offset: int
    value: int
    member: str


@dataclass
class BrokerLoss:
    """What :func:`broker_loss` measured. Times are seconds since the run began."""

    topic: str
    group: str
    partitions: int
    victim: int  # the broker killed
    coordinator_before: int  # the group's coordinator before the kill
    coordinator_after: int | None  # ... and after: the new leader of its offsets partition
    controller_before: int | None  # the KRaft active controller before the kill
    controller_after: int | None
    leaders_before: dict[int, int]  # partition -> leader
    leaders_after: dict[int, int]
    session_timeout_ms: int | None  # broker.session.timeout.ms as the brokers report it
    kill_at: float
    elected_at: float | None  # when the metadata first showed every affected partition led again
    produced: list[int]  # values the brokers acknowledged
    failed: int  # delivery reports with an error
    deliveries: list[Delivery]
    assignments: list[tuple[float, str, list[int]]]  # (t, member, partitions) handed out
    commit_errors: int  # commits the coordinator refused or never answered (retried later)
    end: float  # when the producer stopped
    seconds: float  # the whole run, wall clock
    notes: list[str] = field(default_factory=list)

    @property
    def affected(self) -> list[int]:
        """The partitions the killed broker led."""
        return sorted(p for p, b in self.leaders_before.items() if b == self.victim)

    @property
    def roles(self) -> list[str]:
        """What the killed broker was, measured before the kill."""
        out = [f"leader of partition{'s' if len(self.affected) > 1 else ''} "
               + ", ".join(map(str, self.affected))]
        if self.victim == self.coordinator_before:
            out.append("the group's coordinator")
        if self.victim == self.controller_before:
            out.append("the active controller")
        return out

    @property
    def lost(self) -> int:
        return delivery_counts(self.produced, [d.value for d in self.deliveries])[0]

    @property
    def duplicates(self) -> int:
        return delivery_counts(self.produced, [d.value for d in self.deliveries])[1]

    def gaps(self) -> dict[int, float]:
        """Per partition, the longest time without a record while the producer wrote."""
        return longest_gaps([(d.t, d.partition) for d in self.deliveries], range(self.partitions),
                            start=0.0, end=self.end)

    @property
    def gap(self) -> float:
        """The longest time without a record on the partitions the killed broker led."""
        gaps = self.gaps()
        return max((gaps[p] for p in self.affected), default=0.0)

    @property
    def expected_gap(self) -> float:
        """The pause to expect: the controller fences the dead broker after
        ``broker.session.timeout.ms`` (9 s by default when the brokers do not say), plus 3 s
        for the election, the clients' metadata refresh and their retries."""
        return (self.session_timeout_ms or 9000) / 1000 + 3.0

    def resumed_after(self) -> float | None:
        """Seconds from the kill to the end of the pause it caused: on each affected partition
        the first record after the longest silence that ends after the kill (records fetched
        just before the kill may still arrive just after it); the latest over the partitions.
        None if an affected partition was never read after the kill."""
        ends = []
        for p in self.affected:
            ts = sorted(d.t for d in self.deliveries if d.partition == p)
            pairs = [(b - a, b) for a, b in zip(ts, ts[1:], strict=False) if b > self.kill_at]
            if not ts or ts[-1] <= self.kill_at:
                return None
            ends.append(max(pairs)[1] if pairs else ts[0])
        return max(ends) - self.kill_at if ends else None

    @property
    def rebalances(self) -> int:
        """Assignments handed out after each member's first one."""
        return len(self.assignments) - len({m for _t, m, _p in self.assignments})

    @property
    def moved(self) -> int:
        """Partitions handed to a member other than their previous owner."""
        return owner_changes(self.assignments)

    def rates(self, bin_s: float = 0.1) -> dict[int, list[int]]:
        """Records consumed per partition in each ``bin_s`` window from 0 to the last one."""
        last = max((d.t for d in self.deliveries), default=0.0)
        return {p: per_bin([d.t for d in self.deliveries if d.partition == p], bin_s, last)
                for p in range(self.partitions)}


# ---- the pure arithmetic ---------------------------------------------------------------------
def longest_gaps(deliveries: Iterable[tuple[float, int]], partitions: Iterable[int],
                 start: float, end: float) -> dict[int, float]:
    """Per partition, the longest interval inside [start, end] with no delivery: between two
    deliveries, or from ``start`` to the first, or from the last to ``end``."""
    times: dict[int, list[float]] = {p: [] for p in partitions}
    for t, p in deliveries:
        if p in times and start <= t <= end:
            times[p].append(t)
    out = {}
    for p, ts in times.items():
        edges = [start, *sorted(ts), end]
        out[p] = max(b - a for a, b in zip(edges, edges[1:], strict=False))
    return out


def per_bin(times: Iterable[float], bin_s: float, end: float) -> list[int]:
    """How many of ``times`` fall in each window of ``bin_s`` seconds from 0 to ``end``."""
    counts = [0] * (int(end / bin_s) + 1)
    for t in times:
        if 0 <= t <= end:
            counts[min(int(t / bin_s), len(counts) - 1)] += 1
    return counts


def owner_changes(assignments: Iterable[tuple[float, str, list[int]]]) -> int:
    """How many times a partition was handed to a member other than its previous owner
    (``assignments``: (time, member, partitions) of each assignment; first owners not counted)."""
    owner: dict[int, str] = {}
    changes = 0
    for _t, member, parts in sorted(assignments):
        for p in parts:
            changes += p in owner and owner[p] != member
            owner[p] = member
    return changes


def delivery_counts(produced: Iterable[int], consumed: Iterable[int]) -> tuple[int, int]:
    """``(lost, duplicates)``: acknowledged values never consumed, and deliveries beyond the
    first of each value."""
    seen = Counter(consumed)
    return (sum(1 for v in set(produced) if v not in seen),
            sum(n - 1 for n in seen.values()))


# ---- the sentences ----------------------------------------------------------------------------
def election_story(victim: int, controller_before: int | None, controller_after: int | None,
                   leaders_before: dict[int, int], leaders_after: dict[int, int]) -> str:
    """Who elected the new leaders, as measured: the active controller, after a new one was
    elected first when the killed broker was the controller itself."""
    moved = {p: leaders_after.get(p, -1) for p, b in sorted(leaders_before.items())
             if b == victim}
    if not moved:
        return f"broker {victim} led no partition of the topic: no leader had to be elected."
    if any(b < 0 or b == victim for b in moved.values()):
        return (f"partitions {sorted(moved)} had no new leader when we looked (leaders "
                f"{moved}): the controller had not elected one yet.")
    new = ", ".join(f"partition {p} -> broker {b}" for p, b in moved.items())
    if controller_after is None:
        return f"new leaders: {new}; the active controller could not be read on this cluster."
    if victim == controller_before:
        return (f"new leaders: {new}. Broker {victim} was also the active controller: the "
                f"remaining controllers first elected broker {controller_after} as the new "
                "active controller, which then fenced the dead broker and elected the leaders "
                "from the in-sync replicas.")
    return (f"new leaders: {new}, elected by the active controller, broker {controller_after} "
            f"(not by the clients): it fenced broker {victim} when its heartbeats stopped and "
            "picked each new leader from the partition's in-sync replicas.")


def survival_verdict(lost: int, duplicates: int, resumed_after: float | None, gap: float,
                     bound: float, rebalances: int, moved: int) -> str:
    """What the measurement says about the group surviving the broker's loss."""
    if lost:
        return (f"**{lost} acknowledged records were never consumed.** With replication "
                "factor 3, `min.insync.replicas=2` and `acks=all` an acknowledged record is on "
                "two brokers at least, so this should not happen: look for an unclean leader "
                "election or a consumer that skipped ahead.")
    if resumed_after is None:
        return ("**Consumption did not resume** on a partition the dead broker led within the "
                "time allowed: its new leader was not elected, or the members never fetched "
                "from it.")
    head = (f"**No acknowledged record was lost**, and the dead broker's partition was read "
            f"again {resumed_after:.1f} s after the kill (its longest gap {gap:.1f} s")
    head += (f", within the {bound:.1f} s expected)." if gap <= bound else
             f", longer than the {bound:.1f} s expected: a busy machine, or a slow election).")
    handed = (f"the group rebalanced ({rebalances} new assignment{'s' if rebalances > 1 else ''}"
              f", {moved} partition{'s' if moved != 1 else ''} changing owner)")
    if duplicates == 0 and rebalances == 0:
        return (head + " **No record was read twice**: the group did not rebalance, so every "
                "member went on from its own position once the new leader answered; the commit "
                "policy never came into play.")
    if duplicates == 0:
        return (head + f" **No record was read twice**, although {handed} while its "
                "coordinator moved: each member commits after every batch, and nothing new had "
                "arrived since its last commit (the partitions were paused), so every "
                "partition's owner started again from a committed offset equal to where reading "
                "had stopped.")
    if rebalances:
        return (head + f" **{duplicates} records were read twice**: {handed} while its "
                "coordinator moved, and a partition's owner started again from the last "
                "committed offset, re-reading what had been read but not yet committed: commit "
                "after processing is at-least-once.")
    return (head + f" **{duplicates} records were read twice** without a rebalance: a "
            "member's position went back to its committed offset (the client resets it when an "
            "offset fetch fails), so it re-read what it had not committed yet: at-least-once.")


# ---- the experiment ---------------------------------------------------------------------------
def _broker_settings(cluster: Cluster, broker: int, names: list[str]) -> dict[str, int]:
    """Integer settings as ``broker`` reports them (those it does not report are left out)."""
    try:
        entries = cluster.configs("broker", broker, timeout=10)
    except ConfigReadError:  # a cluster that does not say (a managed one)
        return {}
    return {n: int(entries[n]) for n in names if entries.get(n)}


def coordinator_partition(group: str, partitions: int) -> int:
    """The ``__consumer_offsets`` partition a group id maps to, as the brokers compute it:
    Java's ``String.hashCode`` of the id, made non-negative (``Utils.abs``), modulo the number
    of partitions. Its leader is the group's coordinator."""
    data = group.encode("utf-16-be")
    h = 0
    for i in range(0, len(data), 2):  # Java hashes UTF-16 code units
        h = (31 * h + int.from_bytes(data[i:i + 2], "big")) & 0xFFFFFFFF
    h = h - (1 << 32) if h >= 1 << 31 else h
    return (0 if h == -(1 << 31) else abs(h)) % partitions


def _coordinator(cluster: Cluster, group: str) -> int | None:
    """The group's coordinator as the brokers name it (asked while every broker is up: an
    admin request left pending on a dead coordinator can abort librdkafka later)."""
    try:
        desc = cluster.admin().describe_consumer_groups([group], request_timeout=10)[group]
        return int(desc.result(10).coordinator.id)
    except Exception:
        return None


def _described(cluster: Cluster, topics: list[str],
               ok: Callable[[ClusterDescription], bool]) -> ClusterDescription | None:
    """The cluster's description when ``ok`` holds of it, else None (also when no broker
    answered within a second: one is dead, ask again)."""
    try:
        desc = cluster.describe(topics, timeout=1.0)
    except Exception:
        return None
    return desc if ok(desc) else None


class _Member:
    """One consumer of the group in a thread of its own: it records every record handed to it
    and commits after each batch (asynchronously: a commit that fails while the coordinator
    moves is covered by the next one)."""

    def __init__(self, cluster: Cluster, topic: str, group: str, name: str, t0: float,
                 out: list[Delivery], stop: threading.Event) -> None:
        self.name, self.t0, self.out, self.stop = name, t0, out, stop
        self.owned = 0
        self.handed: list[tuple[float, str, list[int]]] = []
        self.commit_errors = 0
        self.consumer = Consumer({**cluster.consumer_config(group), "log_level": 0,
                                  "enable.auto.commit": False, "on_commit": self._committed})
        self.consumer.subscribe([topic], on_assign=self._assigned, on_revoke=self._revoked)
        self.thread = threading.Thread(target=self._run, name=f"member-{name}", daemon=True)
        self.thread.start()

    def _committed(self, err: KafkaError | None, _parts: list[TopicPartition]) -> None:
        if err is not None and err.code() != KafkaError._NO_OFFSET:
            self.commit_errors += 1

    def _assigned(self, consumer: Consumer, parts: list[TopicPartition]) -> None:
        self.handed.append((time.monotonic() - self.t0, self.name,
                            sorted(tp.partition for tp in parts)))
        self.owned = len(parts)
        # explicit committed offsets: librdkafka does not retry its own lookup when the
        # coordinator is on the move (see clients.committed_offsets)
        consumer.assign(committed_offsets(consumer, parts, timeout=60))

    def _revoked(self, _consumer: Consumer, _parts: list[TopicPartition]) -> None:
        self.owned = 0

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                batch: list[Message] = [m for m in self.consumer.consume(200, 0.1)
                                        if m.error() is None]
                now = time.monotonic() - self.t0
                self.out.extend(Delivery(now, m.partition(), m.offset(), int(m.value()),
                                         self.name) for m in batch)
                if batch:
                    self.consumer.commit(asynchronous=True)
        finally:
            try:
                self.consumer.commit(asynchronous=False)
            except Exception:  # nothing to commit, or the coordinator is away: counted above
                pass
            self.consumer.close()


class _Writer:
    """A producer thread writing ``rate`` numbered records per second, round-robin over the
    partitions, idempotent (acks=all), keeping what the brokers acknowledged."""

    def __init__(self, cluster: Cluster, topic: str, partitions: int, rate: int) -> None:
        self.acked: list[int] = []
        self.failed = 0
        self.stop = threading.Event()
        self.producer = Producer({**cluster.producer_config(enable_idempotence=True,
                                                            linger_ms=5), "log_level": 0})
        self.topic, self.partitions, self.rate = topic, partitions, rate
        self.thread = threading.Thread(target=self._run, name="writer", daemon=True)
        self.thread.start()

    def _report(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            self.acked.append(int(msg.value()))
        else:
            self.failed += 1

    def _run(self) -> None:
        start, sent = time.monotonic(), 0
        while not self.stop.is_set():
            due = int((time.monotonic() - start) * self.rate)
            for i in range(sent, due):
                send(self.producer, self.topic, str(i), partition=i % self.partitions,
                     on_delivery=self._report)
            sent = max(sent, due)
            self.producer.poll(0.005)
        self.producer.flush(60)


OFFSETS = "__consumer_offsets"


def broker_loss(cluster: Cluster, partitions: int = 3, members: int = 3, rate: int = 300,
                before: float = 0.5, after: float = 1.0, timeout: float = 60.0,
                progress: bool = True) -> BrokerLoss:
    """On ``cluster`` (3 brokers or more), a topic with replication factor 3 and
    ``min.insync.replicas=2``; a producer writing ``rate`` records/s; a group of ``members``
    consumers reading. The victim is a broker that leads a partition and is not the active
    controller (05 shows a controller's failover); the group's id is chosen so that the victim is
    its coordinator too. ``before`` s after records arrive on every partition, SIGKILL it; wait
    until the metadata shows new leaders (the topic's and the coordinator's partition) and
    every affected partition is read again, go on ``after`` s, stop the producer and wait until
    the group has read every acknowledged record. The killed broker stays down:
    ``cluster.heal()`` (or ``cluster.stop()``) afterwards."""
    from ...progress import bar

    if len(cluster.broker_ids) < 3:
        raise KafkaLabError(reason=f"broker_loss needs 3 brokers; the cluster has "
                            f"{len(cluster.broker_ids)}.",
                            fix="start_cluster(brokers=3) for this experiment.")
    wall = time.monotonic()
    topic = cluster.create_topic(partitions=partitions, replication_factor=3,
                                 min_insync_replicas=2, prefix="survive")
    # the coordinators' topic exists once a group has asked for one (start_cluster has one ask
    # in the background): wait for it and its leaders, the victim is chosen among them
    cluster.prepare_groups().join()
    desc = cluster.wait_until(
        lambda d: bool(d.topic(OFFSETS)) and all(s.leader >= 0 for s in d.topic(OFFSETS)),
        timeout, f"{OFFSETS} to exist with a leader for each partition", topics=[topic, OFFSETS])
    leaders = {p: desc.leader(topic, p) for p in range(partitions)}
    controller = desc.controller
    offsets_leaders = {s.partition: s.leader for s in desc.topic(OFFSETS)}
    # a leader of the topic that is not the active controller, one that leads a
    # __consumer_offsets partition first (it can then be the group's coordinator too)
    victim = min(sorted(leaders.items()), key=lambda pb: (pb[1] == controller,
                                                          pb[1] not in offsets_leaders.values()))[1]
    group = next((g for g in (f"survivors-{topic}-{n}" for n in range(500))
                  if offsets_leaders.get(coordinator_partition(g, len(offsets_leaders)))
                  == victim), f"survivors-{topic}")
    home = coordinator_partition(group, len(offsets_leaders)) if offsets_leaders else -1
    settings = _broker_settings(cluster, next(b for b in cluster.broker_ids if b != victim),
                                ["broker.session.timeout.ms"])
    deliveries: list[Delivery] = []
    stop = threading.Event()
    t0 = time.monotonic()
    steps = bar(total=5, desc="group joining", disable=not progress)

    def since() -> float:
        return time.monotonic() - t0

    crew = [_Member(cluster, topic, group, f"c{i + 1}", t0, deliveries, stop)
            for i in range(members)]
    writer: _Writer | None = None
    notes: list[str] = []
    try:
        wait_until(lambda: group_settled({m.name: m.owned for m in crew}, members, partitions),
                   timeout, "the group to own every partition")
        coordinator = _coordinator(cluster, group)
        if coordinator is None:
            raise TimeoutError(f"the coordinator of group {group} could not be found")
        if coordinator != offsets_leaders.get(home):
            notes.append(f"the brokers named {coordinator} as the coordinator, not the leader "
                         f"of {OFFSETS} partition {home}")
        t0 = time.monotonic()  # time 0: the group owns every partition; the producer starts
        for m in crew:  # the joins before are not the broker's doing: each member's last
            m.t0 = t0      # assignment is its starting point
            m.handed = [(0.0, m.name, m.handed[-1][2])] if m.handed else []
        writer = _Writer(cluster, topic, partitions, rate)
        steps.update(1)
        steps.set_description("reading steadily")
        wait_until(lambda: {d.partition for d in deliveries} == set(range(partitions)),
                   timeout, "records on every partition")
        flowing = since()  # the producer's first batches are in: read steadily for a moment
        wait_until(lambda: since() >= flowing + before, before + 5, "steady reading")
        steps.update(1)
        steps.set_description(f"killing broker {victim}")
        kill_at = since()
        cluster.broker(victim).kill()
        affected = [p for p, b in leaders.items() if b == victim]

        def led_again(d: ClusterDescription) -> bool:
            return (all(d.leader(topic, p) not in (-1, victim) for p in affected)
                    and (home < 0 or d.leader(OFFSETS, home) not in (-1, victim)))

        after_desc = wait_until(lambda: _described(cluster, [topic, OFFSETS], led_again),
                                timeout, "new leaders")
        elected_at = since()
        steps.update(1)
        steps.set_description("waiting for records again")
        wait_until(lambda: all(any(d.partition == p and d.t > elected_at for d in deliveries)
                               for p in affected), timeout, "records on every partition again")
        steps.update(1)
        steps.set_description("reading on")
        resumed = since()
        wait_until(lambda: since() >= resumed + after, after + 5, "the steady part")
        writer.stop.set()
        end = since()
        writer.thread.join(60)
        try:
            wait_until(lambda: {d.value for d in deliveries} >= set(writer.acked), timeout,
                       "every acknowledged record to be read", interval=0.1)
        except TimeoutError as exc:
            notes.append(str(exc))
        steps.update(1)
        steps.set_description("done")
    finally:
        if writer is not None:
            writer.stop.set()
        stop.set()
        for m in crew:
            m.thread.join(30)
        steps.close()
    return BrokerLoss(topic, group, partitions, victim, coordinator,
                      after_desc.leader(OFFSETS, home) if home >= 0 else None,
                      controller, cluster.describe(topics=[]).controller, leaders,
                      {p: after_desc.leader(topic, p) for p in range(partitions)},
                      settings.get("broker.session.timeout.ms"), kill_at, elected_at,
                      list(writer.acked), writer.failed, list(deliveries),
                      sorted(a for m in crew for a in m.handed),
                      sum(m.commit_errors for m in crew), end, time.monotonic() - wall, notes)
