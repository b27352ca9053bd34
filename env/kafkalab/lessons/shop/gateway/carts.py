"""``/carts``: shopping carts, a compacted topic keyed by cart id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ..models import Cart, CartPatch
from ..topics import new_id
from .context import Shop, check_items, need, replace

router = APIRouter()


@router.post("/carts", status_code=201)
async def create_cart(shop: Shop, response: Response, body: Cart | None = None) -> dict[str, Any]:
    cid, cart = new_id("c"), (body or Cart()).model_dump()
    check_items(shop, cart["items"])
    await shop.publish("carts", cid, cart)
    response.headers["Location"] = f"/carts/{cid}"
    return {"id": cid, **cart}


@router.get("/carts/{cid}")
def get_cart(shop: Shop, cid: str) -> dict[str, Any]:
    return {"id": cid, **need(shop.tables.get("carts", cid), "cart")}


@router.put("/carts/{cid}")
async def replace_cart(shop: Shop, cid: str, body: Cart, response: Response) -> dict[str, Any]:
    check_items(shop, body.items)
    return await replace(shop, "carts", cid, body.model_dump(), response)


@router.patch("/carts/{cid}")
async def patch_cart(shop: Shop, cid: str, body: CartPatch) -> dict[str, Any]:
    items = dict(need(shop.tables.get("carts", cid), "cart")["items"])
    check_items(shop, {p: q for p, q in body.items.items() if q})
    for pid, qty in body.items.items():
        if qty:
            items[pid] = qty
        else:
            items.pop(pid, None)
    await shop.publish("carts", cid, {"items": items})
    return {"id": cid, "items": items}


@router.delete("/carts/{cid}", status_code=204)
async def delete_cart(shop: Shop, cid: str) -> Response:
    need(shop.tables.get("carts", cid), "cart")
    await shop.publish("carts", cid, None)
    return Response(status_code=204)
