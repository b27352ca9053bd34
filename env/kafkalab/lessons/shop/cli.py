"""The shop's command line: ``kafka-lab shop up|down|status|bench``
(:func:`main`)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import psutil

from ...jars import cache_dir


def state_file() -> Path:
    return cache_dir() / "shop.json"


def _kill(pid: int, marker: str) -> bool:
    try:
        p = psutil.Process(pid)
        if marker not in " ".join(p.cmdline()):
            return False  # the pid was reused by something else
        p.kill()
        return True
    except psutil.Error:
        return False


def up(args: argparse.Namespace) -> None:
    from ... import start_cluster
    from .runner import Shop

    if state_file().exists():
        sys.exit(f"A shop is already up ({state_file()}). "
                 "Fix: `kafka-lab shop down`.")
    cluster = start_cluster(brokers=args.brokers, detached=True,
                            bootstrap_servers=args.bootstrap or None)
    shop = Shop(cluster, detached=True, delays={"payments": args.payments_delay}).start()
    pids = [n.pid for n in cluster.nodes if n.pid is not None]
    state: dict[str, Any] = {
        "url": shop.url, "prefix": shop.prefix, "workdir": str(shop.workdir),
        "bootstrap_servers": cluster.bootstrap_servers,
        "procs": shop.status(), "cluster_pids": pids,
        "cluster_workdir": cluster.state().get("workdir") if pids else None}
    state_file().write_text(json.dumps(state, indent=2))
    print(f"shop up: {shop.url} (OpenAPI page {shop.url}/docs), Kafka at "
          f"{cluster.bootstrap_servers}, logs in {shop.workdir}")


def read_state() -> dict[str, Any] | None:
    """What ``up`` saved, or None when no shop is up."""
    try:
        return json.loads(state_file().read_text())
    except (OSError, ValueError):
        return None


def down(args: argparse.Namespace) -> None:
    state = read_state()
    if state is None:
        print("No shop is up.")
        return
    killed = sum(_kill(p["pid"], "kafkalab.lessons.shop.serve") for p in state["procs"]
                 if p["pid"])
    killed += sum(_kill(pid, "kafka") for pid in state.get("cluster_pids", []))
    state_file().unlink()
    for folder in (state.get("workdir"), state.get("cluster_workdir")):
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"shop down: {killed} process(es) stopped")


def status(args: argparse.Namespace) -> None:
    import httpx

    state = read_state()
    if state is None:
        print("No shop is up. Start one: kafka-lab shop up")
        return
    print(f"gateway {state['url']}  Kafka {state['bootstrap_servers']}")
    for p in state["procs"]:
        try:
            health = httpx.get(f"http://127.0.0.1:{p['port']}/health", timeout=2).json()
        except httpx.HTTPError:
            health = "DOWN"
        print(f"  {p['role']:>14}[{p['replica']}] pid {p['pid']:>7} :{p['port']}  {health}")


def bench(args: argparse.Namespace) -> None:
    from .bench import run_bench

    figures = run_bench(Path(args.out), orders=args.orders, delay=args.payments_delay,
                        brokers=args.brokers)
    print(json.dumps(figures, indent=2))


def main(argv: list[str] | None = None) -> int:
    """The shop's command line; returns the exit code."""
    ap = argparse.ArgumentParser(prog="kafka-lab shop")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("up", up), ("down", down), ("status", status), ("bench", bench)):
        p = sub.add_parser(name)
        p.set_defaults(fn=fn)
        if name in ("up", "bench"):
            p.add_argument("--brokers", type=int, default=1)
            p.add_argument("--payments-delay", type=float, default=0.05 if name == "bench"
                           else 0.01)
        if name == "up":
            p.add_argument("--bootstrap", default="", help="use this cluster (else local)")
        if name == "bench":
            p.add_argument("--out", default="build/figures-shop.json")
            p.add_argument("--orders", type=int, default=600)
    args = ap.parse_args(argv)
    args.fn(args)
    return 0
