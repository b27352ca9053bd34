"""Lesson 04 support: reading a topic to its end, groups and their assignments, worker processes
that can be SIGKILLed mid-batch, and consumer lag."""

from __future__ import annotations

import inspect
import json
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


def read_topic(cluster: Any, topic: str, timeout: float = 30.0,
               ) -> list[tuple[int, int, bytes | None, bytes]]:
    """Every record of ``topic`` as (partition, offset, key, value), partition by partition,
    read up to each partition's high watermark (no group, no commits)."""
    consumer = Consumer({**cluster.client_config(), "group.id": "read-topic",
                         "enable.auto.commit": False, "log_level": 0})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in parts}
        todo = {p for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
        out = []
        deadline = time.monotonic() + timeout
        while todo and time.monotonic() < deadline:
            for msg in consumer.consume(1000, 0.5):
                if msg.error():
                    continue
                out.append((msg.partition(), msg.offset(), msg.key(), msg.value()))
                if msg.offset() + 1 >= ends[msg.partition()]:
                    todo.discard(msg.partition())
        if todo:
            raise TimeoutError(f"read_topic({topic}): partitions {sorted(todo)} not read to "
                               f"their end within {timeout} s")
        return sorted(out, key=lambda r: (r[0], r[1]))
    finally:
        consumer.close()


# ---- group membership, seen from inside one process ------------------------------------------


class Group:
    """Consumers of one group living in this process, polled in turn so that each rebalance
    completes; :meth:`settle` returns who owns which partition once nothing changes."""

    def __init__(self, cluster: Any, topic: str, group: str, **overrides: Any) -> None:
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


# ---- worker processes that can be SIGKILLed --------------------------------------------------


class Worker:
    """A consumer in its own Python process (``python -m kafkalab.lessons.consumers``); each
    message it processes is appended to its file as ``partition offset value``."""

    def __init__(self, proc: subprocess.Popen, out: Path, stop_file: Path) -> None:
        self.proc, self.out, self.stop_file = proc, out, stop_file

    @property
    def pid(self) -> int:
        return self.proc.pid

    def processed(self) -> list[tuple[int, int, str]]:
        try:
            lines = self.out.read_text().splitlines()
        except OSError:
            return []
        return [(int(p), int(o), v) for p, o, v in (ln.split(" ", 2) for ln in lines
                                                    if ln.count(" ") >= 2)]

    def kill(self) -> None:
        """SIGKILL: no close(), no last commit, as in a crash."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 30.0) -> int:
        """Ask the worker to finish its batch, commit (if it does) and close; return its code."""
        self.stop_file.touch()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9

    def error(self) -> str:
        return (self.out.with_suffix(".err").read_text(errors="replace")
                if self.out.with_suffix(".err").exists() else "")


PRELUDE = "import time\nfrom confluent_kafka import Consumer, KafkaError, TopicPartition\n"


def start_worker(cluster: Any, group: str, topic: str, folder: Path, name: str,
                 mode: str = "after", batch: int = 20, delay: float = 0.01,
                 function: Callable[..., Any] | None = None,
                 overrides: dict[str, Any] | None = None) -> Worker:
    """Start a worker process. ``mode``: "after" (commit after processing each batch),
    "auto" (enable.auto.commit, which stores offsets when messages are handed over), or
    "function" (run ``function(config, topic, process, should_stop)`` from your notebook)."""
    folder.mkdir(parents=True, exist_ok=True)
    out, stop_file = folder / f"{name}.txt", folder / f"{name}.stop"
    out.write_text("")
    stop_file.unlink(missing_ok=True)
    config = {**cluster.consumer_config(group), "session.timeout.ms": 6000,
              "heartbeat.interval.ms": 1000, "log_level": 0, **(overrides or {})}
    spec = {"config": config, "topic": topic, "out": str(out), "stop": str(stop_file),
            "mode": mode, "batch": batch, "delay": delay}
    if function is not None:
        spec.update(mode="function", source=PRELUDE + textwrap.dedent(inspect.getsource(function)),
                    function=function.__name__)
    (folder / f"{name}.json").write_text(json.dumps(spec))
    with open(out.with_suffix(".err"), "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "kafkalab.lessons.consumers",
                                 str(folder / f"{name}.json")], stderr=err,
                                stdout=subprocess.DEVNULL)
    return Worker(proc, out, stop_file)


def _worker_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    out = open(spec["out"], "a", buffering=1)  # noqa: SIM115 - lives as long as the process
    stop_file, delay = Path(spec["stop"]), float(spec["delay"])

    def process(msg: Any) -> None:
        time.sleep(delay)  # the "work"
        value = msg.value().decode() if msg.value() is not None else ""
        out.write(f"{msg.partition()} {msg.offset()} {value}\n")

    def should_stop() -> bool:
        return stop_file.exists()

    if spec["mode"] == "function":
        namespace: dict[str, Any] = {}
        exec(compile(spec["source"], "<your worker>", "exec"), namespace)  # noqa: S102
        namespace[spec["function"]](spec["config"], spec["topic"], process, should_stop)
        return
    auto = spec["mode"] == "auto"
    consumer = Consumer({**spec["config"], "enable.auto.commit": auto,
                         "auto.commit.interval.ms": 200})
    consumer.subscribe([spec["topic"]])
    try:
        while not should_stop():
            msgs = [m for m in consumer.consume(spec["batch"], 0.5) if not m.error()]
            for msg in msgs:
                process(msg)
            if msgs and not auto:
                consumer.commit(asynchronous=False)
    finally:
        consumer.close()


# ---- offsets and lag -----------------------------------------------------------------------------


def end_offsets(cluster: Any, topic: str) -> dict[int, int]:
    """Each partition's log end offset (high watermark), as the broker reports it now."""
    consumer = Consumer({**cluster.client_config(), "group.id": "end-offsets", "log_level": 0})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in sorted(parts)}
    finally:
        consumer.close()


def committed(cluster: Any, group: str, topic: str) -> dict[int, int]:
    """The group's committed offset per partition (-1001 where it has none)."""
    consumer = Consumer({**cluster.consumer_config(group), "log_level": 0})
    try:
        parts = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        got = consumer.committed([TopicPartition(topic, p) for p in sorted(parts)], timeout=10)
        return {tp.partition: tp.offset for tp in got}
    finally:
        consumer.close()


def moves(steps: list[tuple[str, dict[str, list[int]], float]]) -> list[int]:
    """How many partitions changed owner at each step (the first step counts all)."""
    out, before = [], {}
    for _label, assignment, _s in steps:
        owner = {p: n for n, ps in assignment.items() for p in ps}
        out.append(sum(owner[p] != before.get(p) for p in owner))
        before = owner
    return out


def plot_assignments(steps: list[tuple[str, dict[str, list[int]], float]], partitions: int,
                     title: str = "", ax: Any = None) -> Any:
    """One row per step (a member joined or left), one column per partition, coloured and
    labelled by the consumer that owns it; idle consumers are listed at the right."""
    import matplotlib.pyplot as plt

    names = sorted({n for _l, a, _s in steps for n in a}, key=lambda n: (len(n), n))
    colors = {n: plt.cm.tab10(i % 10) for i, n in enumerate(names)}
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * partitions + 4, 0.5 * len(steps) + 1))
    for row, (_label, assignment, seconds) in enumerate(steps):
        for name, parts in assignment.items():
            for p in parts:
                ax.add_patch(plt.Rectangle((p + 0.05, row + 0.1), 0.9, 0.8, color=colors[name]))
                ax.text(p + 0.5, row + 0.5, name, ha="center", va="center", color="white")
        idle = [n for n, ps in sorted(assignment.items()) if not ps]
        ax.text(partitions + 0.1, row + 0.5, f"{seconds:.1f} s" + (f"; idle: {', '.join(idle)}"
                                                                  if idle else ""), va="center")
    ax.set_xlim(0, partitions + 2.5)
    ax.set_ylim(len(steps), 0)
    ax.set_xticks([p + 0.5 for p in range(partitions)])
    ax.set_xticklabels([f"p{p}" for p in range(partitions)])
    ax.set_yticks([r + 0.5 for r in range(len(steps))])
    ax.set_yticklabels([label for label, _a, _s in steps])
    ax.set_title(title or "partition owners after each rebalance (time to settle)")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return ax


def commit_offsets(cluster: Any, group: str, offsets: dict[tuple[str, int], int]) -> None:
    """Commit ``{(topic, partition): offset}`` for ``group`` (which must have no members)."""
    consumer = Consumer({**cluster.consumer_config(group), "log_level": 0})
    try:
        consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                        asynchronous=False)
    finally:
        consumer.close()


def at_end(cluster: Any, group: str, topic: str, ends: dict[int, int]) -> bool:
    """Whether the group has committed every record of ``topic`` (an empty partition needs no
    commit)."""
    done = committed(cluster, group, topic)
    return all(max(done.get(p, 0), 0) >= end for p, end in ends.items())


def kafka_tool_lag(cluster: Any, group: str, timeout: float = 90.0) -> dict[tuple[str, int], int]:
    """Kafka's own ``kafka-consumer-groups --describe`` (ConsumerGroupCommand, run on the Java
    jars of the local backend): {(topic, partition): LAG}, partitions without a lag left out."""
    from ..jars import KAFKA_VERSION, ensure_jars
    from ..java import find_java

    libs = ensure_jars(f"kafka-{KAFKA_VERSION}", quiet=True)
    out = subprocess.run([str(find_java()), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                          str(libs / "*"), "org.apache.kafka.tools.consumer.group."
                          "ConsumerGroupCommand", "--bootstrap-server",
                          cluster.bootstrap_servers, "--describe", "--group", group],
                         capture_output=True, text=True, timeout=timeout)
    lines = [ln.split() for ln in out.stdout.splitlines()]
    header = next((ln for ln in lines if "LAG" in ln), None)
    if out.returncode != 0 or header is None:
        raise RuntimeError(f"kafka-consumer-groups failed: {out.stderr.strip()[-400:]}")
    col = {name: i for i, name in enumerate(header)}
    return {(ln[col["TOPIC"]], int(ln[col["PARTITION"]])): int(ln[col["LAG"]])
            for ln in lines if len(ln) >= len(header) and ln is not header
            and ln[col["LAG"]].lstrip("-").isdigit() and ln[col["PARTITION"]].isdigit()}



def lag_experiment(cluster: Any, topic: str, worker: Worker, rate: int, seconds: float,
                   catch_up: float = 60.0, every: float = 0.25,
                   progress: bool = True) -> list[dict[str, Any]]:
    """Produce to ``topic`` at ``rate`` records/s (keyless, so spread over its partitions) for
    ``seconds`` while ``worker`` consumes, then stop producing and wait up to ``catch_up`` s for
    it to process everything. Every ``every`` s, sample each partition's processing lag: the log
    end offset minus the next offset the worker has yet to process (from its file)."""
    from confluent_kafka import Producer
    from tqdm.auto import tqdm

    producer = Producer({**cluster.producer_config(), "log_level": 0})
    watcher = Consumer({**cluster.client_config(), "group.id": "lag-watch", "log_level": 0})
    parts = sorted(watcher.list_topics(topic, timeout=10).topics[topic].partitions)
    rows: list[dict[str, Any]] = []
    start, sent, next_sample = time.monotonic(), 0, 0.0
    bar = tqdm(total=int(rate * seconds), desc="producing", disable=not progress)
    try:
        while True:
            now = time.monotonic() - start
            due = min(int(now * rate), int(rate * seconds))
            for i in range(sent, due):
                producer.produce(topic, value=f"job-{i}".encode())
            bar.update(due - sent)
            sent = due
            producer.poll(0)
            if now >= next_sample:
                next_sample += every
                done: dict[int, int] = {}
                for p, o, _v in worker.processed():
                    done[p] = max(done.get(p, -1), o)
                lags = {p: watcher.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1]
                        - done.get(p, -1) - 1 for p in parts}
                rows.extend({"t": now, "partition": p, "lag": lag} for p, lag in lags.items())
                if now > seconds and sum(lags.values()) == 0:
                    break
                if now > seconds + catch_up:
                    break
            time.sleep(0.005)
    finally:
        bar.close()
        producer.flush(10)
        watcher.close()
    return rows

# ---- crashes ------------------------------------------------------------------------------


def _wait(cond: Callable[[], bool], timeout: float, what: str,
          workers: list[Worker] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if workers and all(w.proc.poll() is not None for w in workers):
            raise RuntimeError(f"every worker exited before {what}; first error output:\n"
                               + next((w.error()[-1500:] for w in workers if w.error()), ""))
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout} s")
        time.sleep(0.1)


@dataclass
class CrashResult:
    mode: str
    messages: int
    processed_before_kill: int
    committed_at_kill: int  # sum over partitions of the group's committed offsets
    redelivered: int  # processed twice in total
    missing: int  # never processed
    resumed_after: float  # seconds from the kill to the next worker's first message


def crash_and_resume(cluster: Any, topic: str, group: str, folder: Path, mode: str,
                     kill_after: int, batch: int = 20, delay: float = 0.01,
                     timeout: float = 90.0) -> CrashResult:
    """One worker processes ``topic`` (which must hold records numbered 0..n-1 and nothing
    else) until ``kill_after`` are done, is SIGKILLed, and a second worker of the same group
    takes over; wait until the group has committed everything, then count."""
    ends = end_offsets(cluster, topic)
    total = sum(ends.values())
    first = start_worker(cluster, group, topic, folder, f"{mode}-1", mode, batch, delay)
    _wait(lambda: len(first.processed()) >= kill_after, timeout, "progress", [first])
    first.kill()
    killed_at = time.monotonic()
    before = len(first.processed())
    at_kill = committed(cluster, group, topic)
    second = start_worker(cluster, group, topic, folder, f"{mode}-2", mode, batch, delay)
    _wait(lambda: len(second.processed()) > 0 or at_end(cluster, group, topic, ends),
          timeout, "second worker starting", [second])
    resumed = time.monotonic() - killed_at
    _wait(lambda: at_end(cluster, group, topic, ends), timeout, "commit of every record",
          [second])
    second.stop()
    seen = Counter(v for w in (first, second) for _p, _o, v in w.processed())
    return CrashResult(mode, total, before, sum(max(o, 0) for o in at_kill.values()),
                       sum(c - 1 for c in seen.values()), total - len(seen), resumed)


@dataclass
class PoolResult:
    messages: int
    per_worker: dict[str, int]  # worker name -> records processed
    killed: str
    missing: int
    duplicates: int
    committed_to_end: bool  # the group's committed offsets reached every partition's end
    errors: str


def pool_with_crash(cluster: Any, function: Callable[..., Any], topic: str, group: str,
                    folder: Path, workers: int = 3, kill_after: int = 100, delay: float = 0.005,
                    timeout: float = 90.0) -> PoolResult:
    """Run ``function(config, topic, process, should_stop)`` in ``workers`` processes of one
    group, SIGKILL the busiest one once ``kill_after`` records are processed, and let the
    others finish; then count what was never processed and what was processed twice."""
    ends = end_offsets(cluster, topic)
    total = sum(ends.values())
    pool = {f"w{i + 1}": start_worker(cluster, group, topic, folder, f"w{i + 1}",
                                      function=function, delay=delay) for i in range(workers)}

    def seen() -> Counter:
        return Counter(v for w in pool.values() for _p, _o, v in w.processed())

    _wait(lambda: sum(seen().values()) >= kill_after, timeout, "progress", list(pool.values()))
    victim = max(pool, key=lambda n: len(pool[n].processed()))
    pool[victim].kill()
    alive = [w for n, w in pool.items() if n != victim]
    try:
        _wait(lambda: len(seen()) >= total, timeout, "processing of every record", alive)
        _wait(lambda: at_end(cluster, group, topic, ends), 15, "final commits")
    except (TimeoutError, RuntimeError):
        pass  # reported through the counts below
    done = at_end(cluster, group, topic, ends)
    for w in alive:
        w.stop()
    counts = seen()
    return PoolResult(total, {n: len(w.processed()) for n, w in pool.items()}, victim,
                      total - len(counts), sum(c - 1 for c in counts.values()), done,
                      "".join(w.error()[-800:] for w in pool.values()))


if __name__ == "__main__":
    _worker_main(sys.argv[1])
