"""`kafka-lab shop bench`: throughput, latency and recovery figures of the
Kafka shop.

Setup (written into the output): local brokers, payments slowed by ``delay`` seconds per charge,
orders POSTed by ``concurrency`` HTTP clients on this machine, 3 partitions per topic.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from .load import burst, percentile, stage_ts, wait_final
from .runner import Shop


def _round(shop: Shop, orders: int, concurrency: int) -> dict[str, Any]:
    """Orders through the gateway as fast as ``concurrency`` clients go, end to end."""
    t0 = time.monotonic()
    rows = burst(shop.url, orders, concurrency=concurrency)
    t_accepted = time.monotonic() - t0
    ids = [r["order_id"] for r in rows if r["status"] == 201]
    docs = wait_final(shop.url, ids, timeout=300, progress=False)
    t_done = time.monotonic() - t0
    lat = [(stage_ts(d, "shipped") - d["accepted_ts"]) / 1000 for d in docs.values()
           if stage_ts(d, "shipped")]
    return {"orders": orders, "accepted": len(ids), "final": len(docs),
            "gateway_orders_per_s": round(len(ids) / t_accepted, 1),
            "completed_orders_per_s": round(len(docs) / t_done, 1),
            "accept_to_shipped_p50_s": round(percentile(lat, 50), 3),
            "accept_to_shipped_p99_s": round(percentile(lat, 99), 3)}


def _drain(shop: Shop, orders: int, concurrency: int) -> dict[str, Any]:
    """Payments alone: a held backlog released at once, first to last charge."""
    shop.pause("payments")
    rows = burst(shop.url, orders, concurrency=concurrency)
    ids = [r["order_id"] for r in rows if r["status"] == 201]
    shop.resume("payments")
    docs = wait_final(shop.url, ids, timeout=300, progress=False)
    paid = sorted(t for d in docs.values() if (t := stage_ts(d, "paid")))
    return {"backlog": len(ids), "charges_per_s": round((len(paid) - 1) * 1000
                                                         / max(1, paid[-1] - paid[0]), 1)}


def run_bench(out: Path, orders: int = 600, delay: float = 0.05, brokers: int = 1,
              concurrency: int = 32, outage_s: float = 5.0) -> dict[str, Any]:
    from ... import start_cluster

    figures: dict[str, Any] = {
        "setup": {"brokers": brokers, "partitions": 3, "payments_delay_s": delay,
                  "orders_per_round": orders, "http_concurrency": concurrency,
                  "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0],
                  "python": platform.python_version(),
                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
    with start_cluster(brokers=brokers, backend="local", reuse=False) as cluster, \
            Shop(cluster, delays={"payments": delay}) as shop:
        _round(shop, 20, 4)  # warm-up
        for replicas in (1, 3):
            shop.scale("payments", replicas)
            shop.wait_assigned("payments")
            figures[f"payments_replicas_{replicas}"] = {
                **_round(shop, orders, concurrency), **_drain(shop, orders, concurrency)}
            print(replicas, figures[f"payments_replicas_{replicas}"], flush=True)
        shop.scale("payments", 1)
        shop.wait_assigned("payments")
        t_kill = time.monotonic()
        shop.kill("payments")
        rows = burst(shop.url, orders // 2, concurrency=concurrency)
        ids = [r["order_id"] for r in rows if r["status"] == 201]
        time.sleep(max(0.0, outage_s - (time.monotonic() - t_kill)))
        t_restart = time.monotonic()
        shop.restart("payments")
        docs = wait_final(shop.url, ids, timeout=300, progress=False)
        t_drained = time.monotonic()
        figures["payments_kill"] = {
            "orders_during_outage": len(rows), "accepted": len(ids), "final": len(docs),
            "outage_s": round(t_restart - t_kill, 2),
            "kill_to_drained_s": round(t_drained - t_kill, 2),
            "restart_to_drained_s": round(t_drained - t_restart, 2),
            "duplicates_seen_after_restart": sum(h.get("duplicate", 0)
                                                 for h in shop.health("payments"))}
    figures["setup"]["load_average_at_end"] = os.getloadavg()[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    return figures
