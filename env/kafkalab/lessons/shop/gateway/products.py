"""``/products``: the catalog, a compacted topic keyed by product id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from ..models import Product, ProductPatch
from ..topics import new_id
from .context import Shop, need, product_view, replace

router = APIRouter()


@router.get("/products")
def list_products(shop: Shop) -> list[dict[str, Any]]:
    return [product_view(shop, k, v) for k, v in sorted(shop.tables.items("products"))]


@router.get("/products/{pid}")
def get_product(shop: Shop, pid: str) -> dict[str, Any]:
    return product_view(shop, pid, need(shop.tables.get("products", pid), "product"))


@router.post("/products", status_code=201)
async def create_product(shop: Shop, body: Product, response: Response) -> dict[str, Any]:
    pid = new_id("p")
    await shop.publish("products", pid, body.model_dump())
    response.headers["Location"] = f"/products/{pid}"
    return {"id": pid, **body.model_dump()}


@router.put("/products/{pid}")
async def replace_product(shop: Shop, pid: str, body: Product,
                          response: Response) -> dict[str, Any]:
    return await replace(shop, "products", pid, body.model_dump(), response)


@router.patch("/products/{pid}")
async def patch_product(shop: Shop, pid: str, body: ProductPatch) -> dict[str, Any]:
    change = body.model_dump(exclude_unset=True)
    if not change or any(v is None for v in change.values()):
        raise HTTPException(422, "give at least one field to change (null is not allowed)")
    product = {**need(shop.tables.get("products", pid), "product"), **change}
    await shop.publish("products", pid, product)
    return {"id": pid, **product}


@router.delete("/products/{pid}", status_code=204)
async def delete_product(shop: Shop, pid: str) -> Response:
    need(shop.tables.get("products", pid), "product")
    await shop.publish("products", pid, None)
    return Response(status_code=204)
