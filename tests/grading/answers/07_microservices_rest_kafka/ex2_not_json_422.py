# cell: ex2_solution
# verdict: wrong
# misconception: a body that is not JSON answers 422 like a validation error (malformed syntax is 400)
# loses: ex2_test_invalid
%%writefile $PLUGIN
import json
import re
import uuid

from fastapi import APIRouter, HTTPException, Request

router = APIRouter()
FIELDS = {"name", "street", "city", "zip"}


def setup(shop):
    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, request: Request) -> dict:
        try:
            change = json.loads(await request.body())
        except ValueError:
            raise HTTPException(422, "the body is not JSON") from None
        if not isinstance(change, dict) or not change or set(change) - FIELDS:
            raise HTTPException(422, "give some of name, street, city, zip")
        if any(not isinstance(v, str) or not v for v in change.values()):
            raise HTTPException(422, "fields are non-empty strings")
        if "zip" in change and not re.fullmatch(r"[0-9A-Za-z -]{3,10}", change["zip"]):
            raise HTTPException(422, "bad zip")
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        if order.get("final"):
            raise HTTPException(409, "the order is final")
        await shop.publish("orders", order_id, shop.event(
            "address_changed", order_id, address=change, event_id=f"address:{uuid.uuid4().hex}"))
        return {**order["address"], **change}
