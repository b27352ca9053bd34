# cell: ex2_solution
# verdict: wrong
# misconception: every bad body answers 400, also well-formed JSON that fails validation (that is 422)
# loses: ex2_test_invalid
%%writefile $PLUGIN
import json
import re
import uuid

from fastapi import APIRouter, HTTPException, Request

router = APIRouter()


def setup(shop):
    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, request: Request) -> dict:
        try:
            change = json.loads(await request.body())
        except ValueError:
            raise HTTPException(400, "the body is not JSON") from None
        if not isinstance(change, dict) or not change:
            raise HTTPException(400, "give some address fields")
        for key, value in change.items():
            if key not in ("name", "street", "city", "zip") or not isinstance(value, str) \
                    or not value:
                raise HTTPException(400, f"bad field {key}")
        if "zip" in change and not re.fullmatch(r"[0-9A-Za-z -]{3,10}", change["zip"]):
            raise HTTPException(400, "bad zip")
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        if order.get("final"):
            raise HTTPException(409, "the order is final")
        await shop.publish("orders", order_id, shop.event(
            "address_changed", order_id, address=change, event_id=f"address:{uuid.uuid4().hex}"))
        return {**order["address"], **change}
