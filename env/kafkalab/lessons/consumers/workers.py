"""Worker processes that can be SIGKILLed mid-batch: :func:`start_worker` spawns
``python -m kafkalab.lessons.consumers spec.json``, whose ``__main__`` runs :func:`worker_main`."""

from __future__ import annotations

import inspect
import json
import os
import signal
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from ...cluster import Cluster
from ...procs import Child


class Worker:
    """A consumer in its own Python process (``python -m kafkalab.lessons.consumers``), which
    dies with this one (a restarted kernel leaves none behind); each message it processes is
    appended to its file as ``partition offset value``."""

    def __init__(self, child: Child, out: Path, stop_file: Path) -> None:
        self.child, self.out, self.stop_file = child, out, stop_file

    @property
    def pid(self) -> int:
        return self.child.pid

    def processed(self) -> list[tuple[int, int, str]]:
        try:
            lines = self.out.read_text().splitlines()
        except OSError:
            return []
        return [(int(p), int(o), v) for p, o, v in (ln.split(" ", 2) for ln in lines
                                                    if ln.count(" ") >= 2)]

    def kill(self) -> None:
        """SIGKILL: no close(), no last commit, as in a crash."""
        self.child.kill(10)

    def stop(self, timeout: float = 30.0) -> int:
        """Ask the worker to finish its batch, commit (if it does) and close; return its code."""
        return self.child.finish(self.stop_file, timeout)

    def error(self) -> str:
        return (self.out.with_suffix(".err").read_text(errors="replace")
                if self.out.with_suffix(".err").exists() else "")


PRELUDE = "import time\nfrom confluent_kafka import Consumer, KafkaError, TopicPartition\n"


def start_worker(cluster: Cluster, group: str, topic: str, folder: Path, name: str,
                 mode: str = "after", batch: int = 20, delay: float = 0.01,
                 function: Callable[..., Any] | None = None,
                 overrides: dict[str, Any] | None = None,
                 crash: dict[str, Any] | None = None) -> Worker:
    """Start a worker process. ``mode``: "after" (commit after processing each batch),
    "auto" (enable.auto.commit, which stores offsets when messages are handed over), or
    "function" (run ``function(config, topic, process, should_stop)`` from your notebook).

    ``crash={"after": n, "token": path, "wait": s}`` injects a crash on purpose: the first
    worker (of all that share ``token``) to have processed ``n`` records SIGKILLs itself in the
    middle of processing its next one, as soon as the group's committed offset of that
    partition has passed the record (what auto-commit or a commit before processing does), or
    after ``wait`` s if it never does (commit after processing). What it saw is written to
    ``token``."""
    folder.mkdir(parents=True, exist_ok=True)
    out, stop_file = folder / f"{name}.txt", folder / f"{name}.stop"
    out.write_text("")
    stop_file.unlink(missing_ok=True)
    config = {**cluster.consumer_config(group), "session.timeout.ms": 6000,
              "heartbeat.interval.ms": 1000, "log_level": 0, **(overrides or {})}
    spec = {"config": config, "topic": topic, "out": str(out), "stop": str(stop_file),
            "mode": mode, "batch": batch, "delay": delay, "crash": crash}
    if function is not None:
        spec.update(mode="function", source=PRELUDE + textwrap.dedent(inspect.getsource(function)),
                    function=function.__name__)
    (folder / f"{name}.json").write_text(json.dumps(spec))
    out.with_suffix(".err").write_text("")
    child = Child([sys.executable, "-m", "kafkalab.lessons.consumers",
                   str(folder / f"{name}.json")], out.with_suffix(".err"), stdout=False)
    return Worker(child, out, stop_file)


def _claim(token: Path) -> bool:
    """True for the first process to ask (atomic across processes)."""
    try:
        os.close(os.open(token, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _crash_once_committed_past(config: dict[str, Any], topic: str, msg: Any, wait: float,
                               token: Path, name: str) -> None:
    """SIGKILL this process as soon as the group's committed offset of ``msg``'s partition is
    past ``msg`` (not yet processed), or after ``wait`` s; say what was seen in ``token``."""
    watch = Consumer({**config, "enable.auto.commit": False, "log_level": 0})
    part = TopicPartition(topic, msg.partition())
    seen = -1
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            seen = watch.committed([part], timeout=2)[0].offset
        except Exception:  # noqa: BLE001 - a slow coordinator: ask again until the deadline
            pass
        if seen > msg.offset():
            break
        time.sleep(0.05)
    token.write_text(json.dumps({"worker": name, "partition": msg.partition(),
                                 "offset": msg.offset(), "committed": seen}))
    os.kill(os.getpid(), signal.SIGKILL)


def worker_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    out = open(spec["out"], "a", buffering=1)  # noqa: SIM115 - lives as long as the process
    stop_file, delay = Path(spec["stop"]), float(spec["delay"])
    crash, done = spec.get("crash"), [0]

    def process(msg: Any) -> None:
        time.sleep(delay)  # the "work"
        if crash and done[0] >= crash["after"] and _claim(Path(crash["token"])):
            _crash_once_committed_past(spec["config"], spec["topic"], msg, crash["wait"],
                                       Path(crash["token"]), Path(spec["out"]).stem)
        value = msg.value().decode() if msg.value() is not None else ""
        out.write(f"{msg.partition()} {msg.offset()} {value}\n")
        done[0] += 1

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
