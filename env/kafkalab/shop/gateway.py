"""The REST gateway (FastAPI): products, carts and orders over HTTP, state in Kafka.

Writes go to Kafka and are answered once the brokers acknowledge them (acks=all); reads come
from compacted topics this process reads back into memory on start. The gateway keeps nothing
that Kafka does not hold, so it can be killed and restarted (or run as several replicas).
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from fastapi import FastAPI, HTTPException, Response

from .models import Cart, CartPatch, OrderIn, Product, ProductPatch
from .topics import encode, event, new_id, now_ms, topic
from .views import Tables
from .worker import producer_config


class ShopContext:
    """What gateway endpoints (also a plugin's) use: the tables and an acknowledged publish."""

    def __init__(self, client: dict[str, Any], prefix: str) -> None:
        self.prefix = prefix
        self.tables = Tables(client, prefix, ("products", "stock", "carts", "order-status"))
        self.pending: dict[str, dict[str, Any]] = {}
        self.producer = Producer(producer_config(client))
        self._stop = threading.Event()
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.producer.poll(0.05)

    async def publish(self, kind: str, key: str, value: dict[str, Any] | None,
                      timeout: float = 30.0) -> None:
        """Produce and wait for the acknowledgement; 503 when Kafka does not confirm."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()

        def report(err: Any, msg: Any) -> None:
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(err))

        while True:
            try:
                self.producer.produce(topic(self.prefix, kind), key=key, value=encode(value),
                                      on_delivery=report)
                break
            except BufferError:
                await asyncio.sleep(0.01)
        try:
            err = await asyncio.wait_for(done, timeout)
        except Exception:  # asyncio.TimeoutError (not the builtin one before Python 3.11)
            err = f"no acknowledgement within {timeout} s"
        if err is not None:
            raise HTTPException(503, f"Kafka did not acknowledge the write ({err}); retry later")
        if kind in ("products", "carts"):
            self.tables.put(kind, key, value)

    def event(self, kind: str, order_id: str, **fields: Any) -> dict[str, Any]:
        return event(kind, order_id, "gateway", **fields)

    def order(self, order_id: str) -> dict[str, Any] | None:
        doc = self.tables.get("order-status", order_id)
        if doc is not None:
            self.pending.pop(order_id, None)
            return doc
        return self.pending.get(order_id)

    def orders(self) -> list[dict[str, Any]]:
        docs = {**self.pending, **dict(self.tables.items("order-status"))}
        return list(docs.values())

    def close(self) -> None:
        self._stop.set()
        self.producer.flush(10)
        self.tables.close()


def _product_view(shop: ShopContext, pid: str, product: dict[str, Any]) -> dict[str, Any]:
    stock = shop.tables.get("stock", pid)
    available = stock["available"] if stock else product["stock"]
    return {"id": pid, **product, "available": available}


def _need(value: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if value is None:
        raise HTTPException(404, f"{what} not found")
    return value


async def _replace(shop: ShopContext, kind: str, key: str, value: dict[str, Any],
                   response: Response) -> dict[str, Any]:
    """PUT semantics: replace the resource, or create it (201 + Location) if it did not exist."""
    existed = shop.tables.get(kind, key) is not None
    await shop.publish(kind, key, value)
    if not existed:
        response.status_code = 201
        response.headers["Location"] = f"/{kind}/{key}"
    return {"id": key, **value}


def _check_items(shop: ShopContext, items: dict[str, Any]) -> None:
    unknown = [p for p in items if shop.tables.get("products", p) is None]
    if unknown:
        raise HTTPException(422, f"unknown product(s): {', '.join(unknown)}")


def create_app(client: dict[str, Any], prefix: str, plugin: str | None = None) -> FastAPI:
    shop = ShopContext(client, prefix)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        shop.tables.start()
        yield
        shop.close()

    app = FastAPI(title="Kafka Lab shop", version="1.0", lifespan=lifespan,
                  description="A small shop whose services talk through Kafka.")
    app.state.shop = shop

    @app.get("/health")
    def health(response: Response) -> dict[str, Any]:
        ready = shop.tables.ready.is_set()
        response.status_code = 200 if ready else 503
        return {"status": "ok" if ready else "loading", "ready": ready, "mode": "kafka"}

    # ---- products ------------------------------------------------------------------------
    @app.get("/products")
    def list_products() -> list[dict[str, Any]]:
        return [_product_view(shop, k, v) for k, v in sorted(shop.tables.items("products"))]

    @app.get("/products/{pid}")
    def get_product(pid: str) -> dict[str, Any]:
        return _product_view(shop, pid, _need(shop.tables.get("products", pid), "product"))

    @app.post("/products", status_code=201)
    async def create_product(body: Product, response: Response) -> dict[str, Any]:
        pid = new_id("p")
        await shop.publish("products", pid, body.model_dump())
        response.headers["Location"] = f"/products/{pid}"
        return {"id": pid, **body.model_dump()}

    @app.put("/products/{pid}")
    async def replace_product(pid: str, body: Product, response: Response) -> dict[str, Any]:
        return await _replace(shop, "products", pid, body.model_dump(), response)

    @app.patch("/products/{pid}")
    async def patch_product(pid: str, body: ProductPatch) -> dict[str, Any]:
        change = body.model_dump(exclude_unset=True)
        if not change or any(v is None for v in change.values()):
            raise HTTPException(422, "give at least one field to change (null is not allowed)")
        product = {**_need(shop.tables.get("products", pid), "product"), **change}
        await shop.publish("products", pid, product)
        return {"id": pid, **product}

    @app.delete("/products/{pid}", status_code=204)
    async def delete_product(pid: str) -> Response:
        _need(shop.tables.get("products", pid), "product")
        await shop.publish("products", pid, None)
        return Response(status_code=204)

    # ---- carts ---------------------------------------------------------------------------
    @app.post("/carts", status_code=201)
    async def create_cart(response: Response, body: Cart | None = None) -> dict[str, Any]:
        cid, cart = new_id("c"), (body or Cart()).model_dump()
        _check_items(shop, cart["items"])
        await shop.publish("carts", cid, cart)
        response.headers["Location"] = f"/carts/{cid}"
        return {"id": cid, **cart}

    @app.get("/carts/{cid}")
    def get_cart(cid: str) -> dict[str, Any]:
        return {"id": cid, **_need(shop.tables.get("carts", cid), "cart")}

    @app.put("/carts/{cid}")
    async def replace_cart(cid: str, body: Cart, response: Response) -> dict[str, Any]:
        _check_items(shop, body.items)
        return await _replace(shop, "carts", cid, body.model_dump(), response)

    @app.patch("/carts/{cid}")
    async def patch_cart(cid: str, body: CartPatch) -> dict[str, Any]:
        items = dict(_need(shop.tables.get("carts", cid), "cart")["items"])
        _check_items(shop, {p: q for p, q in body.items.items() if q})
        for pid, qty in body.items.items():
            if qty:
                items[pid] = qty
            else:
                items.pop(pid, None)
        await shop.publish("carts", cid, {"items": items})
        return {"id": cid, "items": items}

    @app.delete("/carts/{cid}", status_code=204)
    async def delete_cart(cid: str) -> Response:
        _need(shop.tables.get("carts", cid), "cart")
        await shop.publish("carts", cid, None)
        return Response(status_code=204)

    # ---- orders --------------------------------------------------------------------------
    @app.post("/orders", status_code=201)
    async def place_order(body: OrderIn, response: Response) -> dict[str, Any]:
        if body.cart_id is not None:
            items = _need(shop.tables.get("carts", body.cart_id), "cart")["items"]
            if not items:
                raise HTTPException(409, "the cart is empty; add items before ordering")
        else:
            items = dict(body.items or {})
        _check_items(shop, items)
        prices = {p: shop.tables.get("products", p)["price"] for p in items}  # type: ignore[index]
        total = round(sum(prices[p] * q for p, q in items.items()), 2)
        oid = new_id("o")
        ev = shop.event("order_placed", oid, items=items, total=total,
                        address=body.address.model_dump(), cart_id=body.cart_id,
                        accepted_ts=now_ms())
        await shop.publish("orders", oid, ev)
        if body.cart_id is not None:
            await shop.publish("carts", body.cart_id, None)  # checked out
        doc = {"order_id": oid, "status": "accepted", "final": False, "items": items,
               "total": total, "address": ev["address"], "accepted_ts": ev["accepted_ts"],
               "history": []}
        shop.pending[oid] = doc
        response.headers["Location"] = f"/orders/{oid}"
        return doc

    @app.get("/orders")
    def list_orders(status: str | None = None, detail: bool = False) -> list[dict[str, Any]]:
        """Every order (``?status=shipped`` filters; ``?detail=true`` gives whole documents)."""
        docs = [d for d in shop.orders() if status is None or d["status"] == status]
        if detail:
            return docs
        return [{"order_id": d["order_id"], "status": d["status"], "final": d.get("final", False)}
                for d in docs]

    @app.get("/orders/{oid}")
    def get_order(oid: str) -> dict[str, Any]:
        return _need(shop.order(oid), "order")

    @app.get("/orders/{oid}/status")
    def get_status(oid: str) -> dict[str, Any]:
        doc = _need(shop.order(oid), "order")
        return {"order_id": oid, "status": doc["status"], "final": doc.get("final", False)}

    if plugin:
        load_plugin(app, shop, plugin)
    return app


def load_plugin(app: FastAPI, shop: ShopContext, path: str) -> None:
    """Add the endpoints of a plugin file: it defines ``router`` (an APIRouter) and optionally
    ``setup(shop)``, called first with the :class:`ShopContext`."""
    spec = importlib.util.spec_from_file_location(f"shop_plugin_{Path(path).stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load the gateway plugin {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "setup"):
        module.setup(shop)
    app.include_router(module.router)
