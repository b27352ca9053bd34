"""`kafka-lab up | status | down`: a local cluster that outlives the command.

`up` starts a detached cluster and records it in :func:`kafkalab.api.state_file` (the
cluster's own ``state()`` plus the pid and start time of each of its processes); notebooks
calling ``start_cluster()`` with the same brokers and mode attach to it. `status` says whether
those processes still live; `down` kills them and removes the cluster's files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from typing import Any

import psutil

from ..api import read_state, start_cluster, state_file


def register(sub: argparse._SubParsersAction) -> None:
    up_p = sub.add_parser(
        "up", help="start a local cluster that outlives this command",
        description="Start a local Kafka cluster that keeps running after this command "
        "returns; notebooks calling start_cluster() with the same brokers and mode use it. "
        "`kafka-lab down` stops it.")
    up_p.add_argument("--brokers", type=int, default=1, help="number of brokers (default 1)")
    up_p.add_argument("--mode", choices=["kraft", "zookeeper"], default="kraft",
                      help="kraft (Kafka 4) or zookeeper (Kafka 3.9 and a real ZooKeeper)")
    up_p.add_argument("--zookeepers", type=int, default=1,
                      help="ZooKeeper servers in zookeeper mode (1 or 3)")
    up_p.add_argument("--heap-mb", type=int, default=256, help="heap of each JVM in MiB")
    up_p.set_defaults(handler=up)
    status_p = sub.add_parser(
        "status", help="show the cluster left by `up` and whether its processes live",
        description="Show the cluster left running by `kafka-lab up`: its addresses, each "
        "process (pid, ports, running or gone) and their resident memory. Exit code 0 when "
        "every process lives, 1 when none is recorded or one is gone.")
    status_p.set_defaults(handler=status)
    down_p = sub.add_parser(
        "down", help="stop the cluster left by `up` and remove its files",
        description="Kill every process of the cluster left by `kafka-lab up` (brokers first) "
        "and remove its logs and data.")
    down_p.add_argument("--keep-files", action="store_true", help="keep its logs and data")
    down_p.set_defaults(handler=down)


# ---- the record of a detached cluster ----------------------------------------------------------
def _record(cluster: Any) -> dict:
    """The cluster's state plus ``processes``: kind, id, pid, ports and start time of each."""
    if hasattr(cluster, "state"):
        state = dict(cluster.state())
        nodes = [{"kind": n.kind, "id": n.id, "pid": n.pid, "ports": list(n.ports)}
                 for n in cluster.nodes if n.pid is not None]
    else:
        # TEMPORARY until the Cluster public API (cluster.state(), cluster.nodes) is merged
        # from main; then this branch goes.
        state = dict(cluster._backend.state())
        nodes = [{"kind": n["kind"], "id": n["id"], "pid": n["pid"], "ports": [n["port"]]}
                 for n in state["nodes"] if n["pid"] is not None]
    for n in nodes:
        try:
            n["started"] = psutil.Process(n["pid"]).create_time()
        except psutil.Error:
            n["started"] = None
    state["processes"] = nodes
    return state


def _processes(state: dict) -> list[dict]:
    """The recorded processes, brokers first (also from a record without ``processes``)."""
    found = state.get("processes")
    if found is None:
        found = [{"kind": n["kind"], "id": n["id"], "pid": n["pid"], "ports": [n.get("port")],
                  "started": None} for n in state.get("nodes", []) if n.get("pid")]
    return sorted(found, key=lambda n: (n["kind"] != "broker", n["id"]))


def _live(entry: dict) -> psutil.Process | None:
    """The recorded process if it still runs (not a zombie, and its pid not reused)."""
    try:
        proc = psutil.Process(entry["pid"])
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        started = entry.get("started")
        if started is not None and abs(proc.create_time() - started) > 1.0:
            return None  # the pid now belongs to another process
        return proc
    except psutil.Error:
        return None


# ---- the subcommands --------------------------------------------------------------------------
def up(args: argparse.Namespace) -> int:
    state = read_state()
    if state and _processes(state) and all(_live(n) for n in _processes(state)):
        print(f"A course cluster is already running: {state['bootstrap_servers']} "
              f"({state['mode']}, {state['brokers']} broker(s)). `kafka-lab down` stops it.")
        return 0
    cluster = start_cluster(args.brokers, args.mode, "local", zookeepers=args.zookeepers,
                            heap_mb=args.heap_mb, detached=True, reuse=False)
    state = _record(cluster)
    state_file().parent.mkdir(parents=True, exist_ok=True)
    state_file().write_text(json.dumps(state, indent=1))
    print(f"Kafka is up: bootstrap servers {cluster.bootstrap_servers}")
    if cluster.zookeeper_connect:
        print(f"ZooKeeper: {cluster.zookeeper_connect}")
    if state.get("workdir"):
        print(f"Logs and data: {state['workdir']}")
    print("Notebooks calling start_cluster() with the same brokers and mode will use it; "
          "`kafka-lab status` shows it, `kafka-lab down` stops it.")
    return 0


def status(args: argparse.Namespace) -> int:
    state = read_state()
    if not state:
        print("No course cluster is running (start one with `kafka-lab up`).")
        return 1
    version = f" (Kafka {state['version']})" if state.get("version") else ""
    print(f"{state['mode']} cluster{version}, bootstrap servers {state['bootstrap_servers']}")
    if state.get("zookeeper_connect"):
        print(f"ZooKeeper: {state['zookeeper_connect']}")
    rss, gone = 0, 0
    for entry in _processes(state):
        proc = _live(entry)
        if proc is not None:
            try:
                rss += proc.memory_info().rss
            except psutil.Error:
                pass
        gone += proc is None
        ports = ",".join(str(p) for p in entry.get("ports") or [] if p)
        name = f"{entry['kind']}-{entry['id']}"
        print(f"  {name:<12} port {ports:<12} pid {entry['pid']:<8} "
              f"{'running' if proc is not None else 'GONE'}")
    print(f"  resident memory: {rss / 2**20:.0f} MiB")
    if state.get("workdir"):
        print(f"  logs and data: {state['workdir']}")
    if gone:
        print(f"{gone} process(es) of this cluster are gone: `kafka-lab down` cleans up, then "
              "`kafka-lab up` starts a new one.")
    return 1 if gone else 0


def down(args: argparse.Namespace) -> int:
    state = read_state()
    if not state:
        print("No course cluster is running.")
        return 0
    entries = _processes(state)
    killed = 0
    for entry in entries:  # brokers first, then ZooKeeper, as a cluster's own close() does
        proc = _live(entry)
        if proc is None:
            continue
        try:
            if proc.status() == psutil.STATUS_STOPPED:
                proc.resume()  # a paused JVM would not die until resumed on some systems
            proc.kill()
            killed += 1
        except psutil.Error:
            pass
    deadline = time.monotonic() + 15
    while any(_live(e) for e in entries) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [e["pid"] for e in entries if _live(e)]
    if left:
        print(f"Could not stop process(es) {left}; the record {state_file()} is kept. Fix: "
              "stop them by hand (kill -9 / Task Manager), then run `kafka-lab down` again.")
        return 1
    workdir = state.get("workdir")
    if workdir and not args.keep_files:
        shutil.rmtree(workdir, ignore_errors=True)
    state_file().unlink(missing_ok=True)
    kept = f"; its files are kept in {workdir}" if workdir and args.keep_files else ""
    print(f"Stopped the course cluster ({killed} process(es) killed){kept}.")
    return 0
