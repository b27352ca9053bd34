"""The same shop wired as a synchronous chain: the gateway calls each service over HTTP in turn.

    client -> gateway -> inventory -> payments -> shipping -> notifications

An order succeeds only if every service answers within the timeout, while the client waits.
Payments handles one charge at a time (``delay`` seconds each), like one Kafka consumer does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Response

from .models import OrderIn, not_json_is_400
from .topics import new_id, now_ms

CHAIN = ("inventory", "payments", "shipping", "notifications")


def service_app(name: str, catalog: dict[str, dict[str, Any]], delay: float = 0.0) -> FastAPI:
    app = FastAPI(title=f"sync {name}")
    stock = {pid: int(p["stock"]) for pid, p in catalog.items()}
    lock = asyncio.Lock()
    done: set[str] = set()

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "service": name, "handled": len(done)}

    @app.post(f"/{name}")
    async def act(order: dict[str, Any]) -> dict[str, Any]:
        oid = order["order_id"]
        if name == "inventory" and oid not in done:
            if any(stock.get(p, 0) < q for p, q in order["items"].items()):
                raise HTTPException(409, "out of stock")
            for p, q in order["items"].items():
                stock[p] -= q
        if name == "payments" and delay:
            async with lock:  # one charge at a time
                await asyncio.sleep(delay)
        done.add(oid)
        return {"order_id": oid, "service": name, "ts": now_ms()}

    return app


def gateway_app(services: dict[str, str], catalog: dict[str, dict[str, Any]],
                timeout: float = 2.0) -> FastAPI:
    app = FastAPI(title="Kafka Lab shop (synchronous chain)")
    not_json_is_400(app)
    state: dict[str, Any] = {"orders": {}}

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "ready": True, "mode": "sync"}

    @app.post("/orders", status_code=201)
    async def place_order(body: OrderIn, response: Response) -> dict[str, Any]:
        items = dict(body.items or {})
        if unknown := [p for p in items if p not in catalog]:
            raise HTTPException(422, f"unknown product(s): {', '.join(unknown)}")
        oid = new_id("o")
        order = {"order_id": oid, "items": items, "accepted_ts": now_ms(),
                 "total": round(sum(catalog[p]["price"] * q for p, q in items.items()), 2)}
        if "client" not in state:
            state["client"] = httpx.AsyncClient(timeout=timeout,
                                                limits=httpx.Limits(max_connections=200))
        client: httpx.AsyncClient = state["client"]
        for name in CHAIN:
            try:
                r = await client.post(f"{services[name]}/{name}", json=order)
            except httpx.TimeoutException:
                raise HTTPException(504, f"{name} did not answer within {timeout} s") from None
            except httpx.TransportError as exc:
                raise HTTPException(503, f"{name} is unreachable ({type(exc).__name__})") \
                    from None
            if r.status_code >= 400:
                raise HTTPException(r.status_code if r.status_code < 500 else 502,
                                    f"{name}: {r.text[:200]}")
        doc = {**order, "status": "shipped", "final": True, "shipped_ts": now_ms()}
        state["orders"][oid] = doc
        response.headers["Location"] = f"/orders/{oid}"
        return doc

    @app.get("/orders/{oid}")
    def get_order(oid: str) -> dict[str, Any]:
        if oid not in state["orders"]:
            raise HTTPException(404, "order not found")
        return state["orders"][oid]

    return app
