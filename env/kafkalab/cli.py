"""`python -m kafkalab up | status | down | fetch | doctor | bench`.

`up` leaves a cluster running after the command returns (for a JupyterLab session or a grader);
notebooks find it through start_cluster(), and `down` stops it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .api import attach_up, read_state, start_cluster, state_file
from .exceptions import KafkaLabError


def _up(args: argparse.Namespace) -> int:
    state = read_state()
    if state and _nodes_alive(state):
        print(f"A course cluster is already running: {state['bootstrap_servers']} "
              f"({state['mode']}, {state['brokers']} broker(s)). `down` stops it.")
        return 0
    cluster = start_cluster(args.brokers, args.mode, "local", zookeepers=args.zookeepers,
                            heap_mb=args.heap_mb, detached=True, reuse=False)
    state = cluster.state()
    state_file().parent.mkdir(parents=True, exist_ok=True)
    state_file().write_text(json.dumps(state, indent=1))
    print(f"Kafka is up: bootstrap servers {cluster.bootstrap_servers}")
    if cluster.zookeeper_connect:
        print(f"ZooKeeper: {cluster.zookeeper_connect}")
    print(f"Logs and data: {state['workdir']}")
    print("Notebooks calling start_cluster() with the same brokers and mode will use it.")
    return 0


def _nodes_alive(state: dict) -> bool:
    cluster = attach_up()
    return cluster is not None and all(n.running for n in cluster.nodes)


def _status(args: argparse.Namespace) -> int:
    state = read_state()
    if not state:
        print("No course cluster is running (start one with `python -m kafkalab up`).")
        return 1
    cluster = attach_up()
    assert cluster is not None
    print(f"{state['mode']} cluster, bootstrap servers {state['bootstrap_servers']}")
    for n in cluster.nodes:
        pid = n.pid if n.pid is not None else "-"
        print(f"  {n.kind + '-' + str(n.id):<12} port {n.ports[0]:<6} pid {pid:<8} "
              f"{'running' if n.running else 'DOWN'}")
    print(f"  resident memory: {cluster.memory_bytes() / 2**20:.0f} MiB")
    return 0 if all(n.running for n in cluster.nodes) else 1


def _down(args: argparse.Namespace) -> int:
    state = read_state()
    if not state:
        print("No course cluster is running.")
        return 0
    cluster = attach_up(owned=True)
    if cluster is not None:
        cluster.stop(keep_files=args.keep_files)
    state_file().unlink(missing_ok=True)
    print("Stopped the course cluster.")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from .backends.cache import formatted_template
    from .backends.plan import Mode
    from .jars import KAFKA_VERSION, SETS, ensure_jars
    from .warmup import make_cds_archive

    for name in SETS:
        print(f"{name}: {ensure_jars(name)}")
    if not args.jars_only:
        print(f"KRaft storage template: {formatted_template(KAFKA_VERSION)}")
        for mode in Mode:
            print(f"Class-data-sharing archive: {make_cds_archive(mode)}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .api import docker_reason
    from .jars import SETS, cache_dir
    from .java import find_java, java_version

    ok = True
    try:
        java = find_java()
        print(f"Java: {java} (Java {java_version(java)})")
    except KafkaLabError as exc:
        ok = False
        print(f"Java: {exc}")
    for name in SETS:
        done = (cache_dir() / "jars" / name / ".verified").exists()
        print(f"{name} jars: {'cached' if done else 'not yet downloaded (`fetch`)'}")
    print(f"Docker: {docker_reason()}")
    print(f"External cluster: {os.environ.get('KAFKA_BOOTSTRAP_SERVERS') or 'none'}")
    print(f"Cache: {cache_dir()}")
    return 0 if ok else 1


def _bench(args: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return bench_main(args.out, args.repeat, args.docker)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kafkalab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start a cluster that outlives this command")
    up.add_argument("--brokers", type=int, default=1)
    up.add_argument("--mode", choices=["kraft", "zookeeper"], default="kraft")
    up.add_argument("--zookeepers", type=int, default=1)
    up.add_argument("--heap-mb", type=int, default=256)
    sub.add_parser("status", help="show the running course cluster")
    down = sub.add_parser("down", help="stop the course cluster")
    down.add_argument("--keep-files", action="store_true", help="keep logs and data")
    fetch = sub.add_parser("fetch", help="download and verify the Kafka jars (Binder, offline)")
    fetch.add_argument("--jars-only", action="store_true",
                       help="skip the one-time warm-up (storage template, CDS archive)")
    sub.add_parser("doctor", help="what this machine has: Java, jars, Docker")
    bench = sub.add_parser("bench", help="measure start-up time and memory, write figures")
    bench.add_argument("--out", type=Path, default=Path("build/figures-env.json"))
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--docker", action="store_true", help="also measure the docker backend")
    args = parser.parse_args(argv)
    handler = {"up": _up, "status": _status, "down": _down, "fetch": _fetch,
               "doctor": _doctor, "bench": _bench}[args.command]
    try:
        return handler(args)
    except KafkaLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
