# cell: ex2_solution
# verdict: correct
# misconception: none: the body parsed and validated by hand (400 when it is not JSON, 422 when the JSON does not fit), no pydantic model
%%writefile $PLUGIN
import json
import re
import uuid

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

router = APIRouter()
ALLOWED = ("name", "street", "city", "zip")
ZIP = re.compile(r"[0-9A-Za-z -]{3,10}")


def problems(body) -> list:
    if not isinstance(body, dict) or not body:
        return ["a JSON object with at least one field"]
    out = [f"unknown field {k}" for k in body if k not in ALLOWED]
    out += [f"{k} must be a non-empty string" for k, v in body.items()
            if not isinstance(v, str) or not v.strip()]
    if isinstance(body.get("zip"), str) and not ZIP.fullmatch(body["zip"]):
        out.append("zip: 3 to 10 letters, digits, spaces or hyphens")
    return out


def setup(shop):
    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, request: Request):
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"detail": "the body is not JSON"}, status_code=400)
        bad = problems(body)
        if bad:
            return JSONResponse({"detail": bad}, status_code=422)
        order = shop.order(order_id)
        if not order:
            raise HTTPException(status_code=404, detail="no such order")
        if order["final"]:
            raise HTTPException(status_code=409, detail=f"order already {order['status']}")
        event_id = "address:" + uuid.uuid4().hex
        await shop.publish("orders", order_id,
                           shop.event("address_changed", order_id, address=body,
                                      event_id=event_id))
        return dict(order["address"], **body)
