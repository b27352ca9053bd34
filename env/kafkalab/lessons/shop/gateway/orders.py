"""``/orders``: placing an order (an ``order_placed`` event) and following its status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from ..models import OrderIn
from ..topics import new_id, now_ms
from .context import Shop, check_items, need

router = APIRouter()


@router.post("/orders", status_code=201)
async def place_order(shop: Shop, body: OrderIn, response: Response) -> dict[str, Any]:
    if body.cart_id is not None:
        items = need(shop.tables.get("carts", body.cart_id), "cart")["items"]
        if not items:
            raise HTTPException(409, "the cart is empty; add items before ordering")
    else:
        items = dict(body.items or {})
    check_items(shop, items)
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


@router.get("/orders")
def list_orders(shop: Shop, status: str | None = None,
                detail: bool = False) -> list[dict[str, Any]]:
    """Every order (``?status=shipped`` filters; ``?detail=true`` gives whole documents)."""
    docs = [d for d in shop.orders() if status is None or d["status"] == status]
    if detail:
        return docs
    return [{"order_id": d["order_id"], "status": d["status"], "final": d.get("final", False)}
            for d in docs]


@router.get("/orders/{oid}")
def get_order(shop: Shop, oid: str) -> dict[str, Any]:
    return need(shop.order(oid), "order")


@router.get("/orders/{oid}/status")
def get_status(shop: Shop, oid: str) -> dict[str, Any]:
    doc = need(shop.order(oid), "order")
    return {"order_id": oid, "status": doc["status"], "final": doc.get("final", False)}
