"""What the gateway's endpoints (and a plugin's) share: :class:`ShopContext` (the tables read back
from Kafka and an acknowledged publish), :data:`Shop` (the context as a FastAPI dependency), and
the checks and views the routers have in common."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response

from ....clients import AckedPublisher
from ..topics import encode, event, topic
from ..views import Tables
from ..worker import producer_config


class ShopContext:
    """What gateway endpoints (also a plugin's) use: the tables and an acknowledged publish."""

    def __init__(self, client: dict[str, Any], prefix: str) -> None:
        self.prefix = prefix
        self.tables = Tables(client, prefix, ("products", "stock", "carts", "order-status"))
        self.pending: dict[str, dict[str, Any]] = {}
        self.publisher = AckedPublisher(producer_config(client))

    async def publish(self, kind: str, key: str, value: dict[str, Any] | None,
                      timeout: float = 30.0) -> None:
        """Produce and wait for the acknowledgement; 503 when Kafka does not confirm."""
        err = await self.publisher.publish(topic(self.prefix, kind), encode(value), key,
                                           timeout)
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
        self.publisher.close(10)
        self.tables.close()


async def shop_of(request: Request) -> ShopContext:
    """The app's :class:`ShopContext` (async: resolved on the event loop, no thread hop)."""
    return request.app.state.shop


Shop = Annotated[ShopContext, Depends(shop_of)]


def product_view(shop: ShopContext, pid: str, product: dict[str, Any]) -> dict[str, Any]:
    stock = shop.tables.get("stock", pid)
    available = stock["available"] if stock else product["stock"]
    return {"id": pid, **product, "available": available}


def need(value: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if value is None:
        raise HTTPException(404, f"{what} not found")
    return value


async def replace(shop: ShopContext, kind: str, key: str, value: dict[str, Any],
                  response: Response) -> dict[str, Any]:
    """PUT semantics: replace the resource, or create it (201 + Location) if it did not exist."""
    existed = shop.tables.get(kind, key) is not None
    await shop.publish(kind, key, value)
    if not existed:
        response.status_code = 201
        response.headers["Location"] = f"/{kind}/{key}"
    return {"id": key, **value}


def check_items(shop: ShopContext, items: dict[str, Any]) -> None:
    unknown = [p for p in items if shop.tables.get("products", p) is None]
    if unknown:
        raise HTTPException(422, f"unknown product(s): {', '.join(unknown)}")
