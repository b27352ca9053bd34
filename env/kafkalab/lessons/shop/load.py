"""Load for the shop: open-loop order streams over real HTTP, fault actions on a schedule, and
waiting until accepted orders reach a final state. Safe to call from Jupyter (own event loop)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

ADDRESS = {"name": "Ada Lovelace", "street": "1 Log Lane", "city": "Partition", "zip": "10101"}
ITEMS = ({"p-mug": 1}, {"p-tee": 2}, {"p-book": 1, "p-sticker": 3}, {"p-sticker": 1})


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion even inside Jupyter's already-running event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def order_body(i: int) -> dict[str, Any]:
    return {"items": ITEMS[i % len(ITEMS)], "address": ADDRESS}


async def _post(client: httpx.AsyncClient, i: int, t0: float, out: list[dict[str, Any]]) -> None:
    sent = time.monotonic()
    row: dict[str, Any] = {"i": i, "t": sent - t0, "status": None, "order_id": None}
    try:
        r = await client.post("/orders", json=order_body(i))
        row["status"] = r.status_code
        if r.status_code == 201:
            row["order_id"] = r.json()["order_id"]
    except httpx.HTTPError as exc:
        row["error"] = type(exc).__name__
    row["latency_s"] = time.monotonic() - sent
    out.append(row)


async def _load(url: str, rates: list[float], step_s: float,
                actions: dict[float, Callable[[], Any]], timeout: float,
                progress: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=300, max_keepalive_connections=100)
    schedule = [step * step_s + k / rate for step, rate in enumerate(rates)
                for k in range(round(rate * step_s))]
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        t0, loop = time.monotonic(), asyncio.get_running_loop()
        pending_actions = sorted(actions.items())
        tasks: list[Any] = []
        for i, at in enumerate(schedule):  # send on schedule; when late, catch up at once
            while pending_actions and pending_actions[0][0] <= at:
                wait = pending_actions[0][0] - (time.monotonic() - t0)
                if wait > 0:
                    await asyncio.sleep(wait)
                tasks.append(loop.run_in_executor(None, pending_actions.pop(0)[1]))
            wait = at - (time.monotonic() - t0)
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(_post(client, i, t0, out)))
            if progress is not None:
                progress.update(1)
        for when, action in pending_actions:
            wait = when - (time.monotonic() - t0)
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(loop.run_in_executor(None, action))
        await asyncio.gather(*tasks)
    return sorted(out, key=lambda r: r["i"])


def rising_load(url: str, rates: list[float], step_s: float,
                actions: dict[float, Callable[[], Any]] | None = None, timeout: float = 5.0,
                progress: bool = True) -> list[dict[str, Any]]:
    """POST orders at ``rates[k]`` per second during step k (``step_s`` seconds each), without
    waiting for answers (open loop, like real customers). ``actions`` maps seconds since the
    start to a function run then (kill a service, restart it). One row per request."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(round(r * step_s) for r in rates), desc="orders sent",
                   unit="order")
    try:
        return run(_load(url, rates, step_s, actions or {}, timeout, bar))
    finally:
        if bar is not None:
            bar.close()


def rising_loads(targets: dict[str, tuple[str, dict[float, Callable[[], Any]]]],
                 rates: list[float], step_s: float, timeout: float = 5.0
                 ) -> dict[str, list[dict[str, Any]]]:
    """:func:`rising_load` against several shops at the same time (same schedule, same
    machine conditions): ``targets`` maps a name to (url, actions)."""
    from tqdm.auto import tqdm

    total = sum(round(r * step_s) for r in rates) * len(targets)
    with tqdm(total=total, desc="orders sent", unit="order") as bar:
        async def both() -> list[list[dict[str, Any]]]:
            return await asyncio.gather(*(_load(url, rates, step_s, actions, timeout, bar)
                                          for url, actions in targets.values()))
        results = run(both())
    return dict(zip(targets, results, strict=True))


async def _burst(url: str, n: int, concurrency: int, timeout: float,
                 actions: dict[float, Callable[[], Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    queue = iter(range(n))
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        t0, loop = time.monotonic(), asyncio.get_running_loop()

        async def worker() -> None:
            for i in queue:
                await _post(client, i, t0, out)

        async def act(when: float, action: Callable[[], Any]) -> None:
            await asyncio.sleep(max(0.0, when - (time.monotonic() - t0)))
            await loop.run_in_executor(None, action)

        await asyncio.gather(*(worker() for _ in range(concurrency)),
                             *(act(w, a) for w, a in sorted(actions.items())))
    return sorted(out, key=lambda r: r["i"])


def burst(url: str, n: int, concurrency: int = 16, timeout: float = 30.0,
          actions: dict[float, Callable[[], Any]] | None = None) -> list[dict[str, Any]]:
    """POST ``n`` orders as fast as ``concurrency`` clients can (closed loop); ``actions`` as
    in :func:`rising_load` (every action runs, also after the last order)."""
    return run(_burst(url, n, concurrency, timeout, actions or {}))


def wait_final(url: str, order_ids: list[str], timeout: float = 120.0,
               progress: bool = True) -> dict[str, dict[str, Any]]:
    """Poll the REST API until every order is final (shipped or rejected and notified);
    return the documents of all of them that are final by then."""
    wanted, docs = set(order_ids), {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(wanted), desc="orders final", unit="order")
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=30.0) as client:
        while True:
            try:
                listing = client.get("/orders", params={"detail": "true"}).json()
            except httpx.HTTPError:
                listing = []
            docs = {d["order_id"]: d for d in listing
                    if d["order_id"] in wanted and d.get("final") and d.get("notified")}
            if bar is not None:
                bar.n = len(docs)
                bar.refresh()
            if len(docs) == len(wanted) or time.monotonic() > deadline:
                break
            time.sleep(0.25)
    if bar is not None:
        bar.close()
    return docs


def stage_ts(doc: dict[str, Any], kind: str) -> int | None:
    for h in doc.get("history", []):
        if h["type"] == kind:
            return h["ts"]
    return None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]
