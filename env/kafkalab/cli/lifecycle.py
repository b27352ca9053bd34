"""`kafka-lab up | status | down`: a local cluster that outlives the command.

`up` starts a detached cluster and records ``cluster.state()`` in
:func:`kafkalab.api.state_file`, plus the start time of each node's process; notebooks calling
``start_cluster()`` with the same brokers and mode attach to it. `status` and `down` reach it
through :func:`kafkalab.api.attach_up`. A recorded pid whose process started at another time
belongs to someone else now (after a restart of the machine): it is shown as gone and never
killed.
"""

from __future__ import annotations

import argparse
import json
import shutil

import psutil

from ..api import attach_up, read_state, start_cluster, state_file
from ..cluster import Cluster, Node


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
        "node (pid, ports, running or gone) and their resident memory. Exit code 0 when "
        "every process lives, 1 when no cluster is recorded or one of its processes is gone.")
    status_p.set_defaults(handler=status)
    down_p = sub.add_parser(
        "down", help="stop the cluster left by `up` and remove its files",
        description="Kill every process of the cluster left by `kafka-lab up` (brokers first) "
        "and remove its logs and data.")
    down_p.add_argument("--keep-files", action="store_true", help="keep its logs and data")
    down_p.set_defaults(handler=down)


def _name(node: Node) -> str:
    return f"{node.kind}-{node.id}"


def _start_time(pid: int | None) -> float | None:
    try:
        return psutil.Process(pid).create_time() if pid is not None else None
    except psutil.Error:
        return None


def _ours(node: Node, started: dict[str, float]) -> bool:
    """Whether ``node``'s pid is still the process `up` started (not a reused pid)."""
    recorded = started.get(_name(node))
    now = _start_time(node.pid)
    return recorded is None or now is None or abs(now - recorded) < 1.0


def _live(node: Node, started: dict[str, float]) -> bool:
    return node.running and _ours(node, started)


def _attached(owned: bool = False) -> tuple[dict, Cluster, dict[str, float]] | None:
    state = read_state()
    cluster = attach_up(owned=owned) if state else None
    if state is None or cluster is None:
        return None
    return state, cluster, state.get("started") or {}


def up(args: argparse.Namespace) -> int:
    found = _attached()
    if found and all(_live(n, found[2]) for n in found[1].nodes):
        state = found[0]
        print(f"A course cluster is already running: {state['bootstrap_servers']} "
              f"({state['mode']}, {state['brokers']} broker(s)). `kafka-lab down` stops it.")
        return 0
    cluster = start_cluster(args.brokers, args.mode, "local", zookeepers=args.zookeepers,
                            heap_mb=args.heap_mb, detached=True, reuse=False)
    state = {**cluster.state(), "started": {_name(n): _start_time(n.pid) for n in cluster.nodes}}
    state_file().parent.mkdir(parents=True, exist_ok=True)
    state_file().write_text(json.dumps(state, indent=1))
    print(f"Kafka {cluster.version} is up ({cluster.mode}): bootstrap servers "
          f"{cluster.bootstrap_servers}")
    if cluster.zookeeper_connect:
        print(f"ZooKeeper: {cluster.zookeeper_connect}")
    if state.get("workdir"):
        print(f"Logs and data: {state['workdir']}")
    print("Notebooks calling start_cluster() with the same brokers and mode will use it; "
          "`kafka-lab status` shows it, `kafka-lab down` stops it.")
    return 0


def status(args: argparse.Namespace) -> int:
    found = _attached()
    if found is None:
        print("No course cluster is running (start one with `kafka-lab up`).")
        return 1
    state, cluster, started = found
    print(f"{cluster.mode} cluster (Kafka {cluster.version}), bootstrap servers "
          f"{cluster.bootstrap_servers}")
    if cluster.zookeeper_connect:
        print(f"ZooKeeper: {cluster.zookeeper_connect}")
    gone, rss = 0, 0
    for n in sorted(cluster.nodes, key=lambda n: (n.kind != "broker", n.id)):
        live = _live(n, started)
        gone += not live
        rss += n.memory_bytes() if live else 0
        ports = ",".join(str(p) for p in n.ports)
        verdict = "running" if live else ("GONE (pid reused)" if n.running else "GONE")
        print(f"  {_name(n):<12} port {ports:<12} pid {n.pid if n.pid else '-':<8} {verdict}")
    print(f"  resident memory: {rss / 2**20:.0f} MiB")
    if state.get("workdir"):
        print(f"  logs and data: {state['workdir']}")
    if gone:
        print(f"{gone} process(es) of this cluster are gone: `kafka-lab down` cleans up, then "
              "`kafka-lab up` starts a new one.")
    return 1 if gone else 0


def down(args: argparse.Namespace) -> int:
    found = _attached(owned=True)
    if found is None:
        if state_file().exists():
            state_file().unlink()
            print(f"Removed {state_file()}: it named no local cluster.")
        else:
            print("No course cluster is running.")
        return 0
    state, cluster, started = found
    live = [n for n in cluster.nodes if _live(n, started)]
    strangers = [n for n in cluster.nodes if n.running and not _ours(n, started)]
    if strangers:  # stop() would kill them: kill only our own, then remove the files
        for n in sorted(live, key=lambda n: n.kind != "broker"):
            n.kill()
        if state.get("workdir") and not args.keep_files:
            shutil.rmtree(state["workdir"], ignore_errors=True)
    else:
        cluster.stop(keep_files=args.keep_files)
    state_file().unlink(missing_ok=True)
    kept = f"; its files are kept in {state['workdir']}" if args.keep_files else ""
    print(f"Stopped the course cluster ({len(live)} process(es) killed){kept}.")
    return 0
