"""`kafka-lab bench`: seconds to a cluster answering metadata, and resident memory.

Writes a JSON figures file (and prints a table) for 1-broker KRaft, 3-broker KRaft and
ZooKeeper + 3 brokers on the local backend (and the docker backend with --docker; with
--stock, Apache Kafka started without the course on the same machine, with its scripts' JVM
flags and with the small-machine ones, and the course's lead over each). The goals are
reported beside the figures; nothing here fails on a slow machine.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

from .api import start_cluster
from .clients import consume, produce

GOALS = {"kraft-1": 5.0, "kraft-3": 12.0, "zookeeper-3": 15.0}
MEMORY_GOAL_GIB = 1.2  # for a 3-broker cluster (Binder has about 2 GB)
SETUPS = [("kraft-1", 1, "kraft"), ("kraft-3", 3, "kraft"), ("zookeeper-3", 3, "zookeeper")]
# Kafka started without the course (kafkalab.stock), by its flags: "stock" with its scripts'
# JVM options, "bare" with the small-machine ones (what the course adds beyond its flags)
YARDSTICKS = {"stock": "scripts", "bare": "small"}


def measure(brokers: int, mode: str, backend: str = "local",
            image: str | None = None) -> dict[str, float]:
    """Seconds from the call to a cluster answering metadata with every broker; resident
    memory (docker: what `docker stats` counts) at ready and after 10,000 100-byte messages."""
    t0 = time.monotonic()
    with start_cluster(brokers, mode, backend, image=image, reuse=False,
                       timeout=300) as cluster:
        ready = time.monotonic() - t0
        rss_ready = cluster.memory_bytes()
        topic = cluster.create_topic(partitions=3)
        produce(cluster.producer_config(), topic, [b"x" * 100] * 10_000)
        consume(cluster.client_config(), [topic], max_messages=10_000, timeout=30)
        rss_used = cluster.memory_bytes()
    return {"ready_s": ready, "rss_ready_mib": rss_ready / 2**20,
            "rss_after_10k_messages_mib": rss_used / 2**20}


def measure_stock(brokers: int, mode: str, flags: str = "scripts") -> dict[str, float]:
    """The same figures for Apache Kafka started without the course (:mod:`kafkalab.stock`;
    ``flags``: "scripts" for its scripts' JVM flags, "small" for bare Kafka) on this machine:
    its format and start, from the call to metadata answered with every broker."""
    from .stock import StockCluster

    with StockCluster(brokers, mode, flags) as stock:
        ready = stock.start(timeout=300)
        rss_ready = stock.memory_bytes()
        topic = "bench"
        produce({"bootstrap.servers": stock.bootstrap_servers}, topic, [b"x" * 100] * 10_000)
        consume({"bootstrap.servers": stock.bootstrap_servers}, [topic], max_messages=10_000,
                timeout=30)
        rss_used = stock.memory_bytes()
    return {"ready_s": ready, "rss_ready_mib": rss_ready / 2**20,
            "rss_after_10k_messages_mib": rss_used / 2**20}


def _docker_image(mode: str) -> str:
    """The configured/official image when present, else the registry-free local build."""
    from .backends.docker.images import resolve_image
    from .exceptions import KafkaLabError
    from .image import build_image

    try:
        return resolve_image(mode)
    except KafkaLabError:
        return build_image(quiet=True)


def run(repeat: int = 3, backend: str = "local") -> dict[str, dict]:
    """Figures per setup for ``backend``: "local" or "docker" (the course's clusters), or one
    of :data:`YARDSTICKS` (Kafka started without the course)."""
    out: dict[str, dict] = {}
    for name, brokers, mode in SETUPS:
        image = _docker_image(mode) if backend == "docker" else None
        runs = [measure_stock(brokers, mode, YARDSTICKS[backend]) if backend in YARDSTICKS
                else measure(brokers, mode, backend, image) for _ in range(repeat)]
        figures = {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
        figures["ready_s_all"] = [round(r["ready_s"], 2) for r in runs]
        if image:
            figures["image"] = image
        if backend not in YARDSTICKS:  # the goals are the course's, not Kafka's
            figures["goal_ready_s"] = GOALS[name]
            figures["meets_time_goal"] = figures["ready_s"] <= GOALS[name]
        if brokers == 3 and backend not in YARDSTICKS:
            figures["goal_rss_gib"] = MEMORY_GOAL_GIB
            figures["meets_memory_goal"] = (
                figures["rss_after_10k_messages_mib"] / 1024 <= MEMORY_GOAL_GIB)
        out[f"{backend}/{name}"] = figures
    return out


def leads(results: dict[str, dict], yardstick: str = "stock") -> dict[str, float]:
    """setup -> the yardstick's seconds to ready over the local backend's, for every setup
    measured both ways (2.0: the course's cluster is ready in half the time)."""
    return {name: round(f["ready_s"] / results[f"local/{name}"]["ready_s"], 2)
            for name, _, _ in SETUPS
            if (f := results.get(f"{yardstick}/{name}")) and f"local/{name}" in results}


def main(out_path: Path, repeat: int = 3, docker: bool = False, stock: bool = False) -> int:
    from .backends.plan import Mode
    from .warmup import make_cds_archive

    for mode in Mode:
        make_cds_archive(mode)  # one-time warm-up, as `fetch` does: not part of a start
    results = run(repeat, "local")
    if docker:
        results.update(run(repeat, "docker"))
    if stock:
        for yardstick in YARDSTICKS:
            results.update(run(repeat, yardstick))
    from .backends.cache import cds_archive
    from .java import find_java, java_version, runtime_version, scripts_java

    machine = {"cpus": os.cpu_count(), "platform": platform.platform(),
               "python": platform.python_version(),
               "java": f"Java {runtime_version()} at {find_java()}",
               "class_archive": cds_archive(Mode.KRAFT.version).name}
    if stock:
        machine["stock_java"] = f"Java {java_version(scripts_java())} at {scripts_java()}"
    doc = {"machine": machine,
           "repeat": repeat, "statistic": "median", "figures": results}
    if stock:
        doc["lead_over"] = {y: leads(results, y) for y in YARDSTICKS}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{machine['java']}, {machine['class_archive']}"
          + (f"; stock Kafka on {machine['stock_java']}" if stock else ""))
    print(f"{'setup':<22}{'ready s':>9}{'goal':>6}{'RSS ready MiB':>15}{'RSS used MiB':>14}")
    for name, f in results.items():
        goal = f"{f['goal_ready_s']:>6.0f}" if "goal_ready_s" in f else f"{'-':>6}"
        print(f"{name:<22}{f['ready_s']:>9.2f}{goal}"
              f"{f['rss_ready_mib']:>15.0f}{f['rss_after_10k_messages_mib']:>14.0f}")
    for yardstick, by_setup in doc.get("lead_over", {}).items():
        for name, lead in by_setup.items():
            print(f"{name}: {yardstick} Kafka takes {lead:.1f}x as long to be ready")
    print(f"figures written to {out_path}")
    return 0
