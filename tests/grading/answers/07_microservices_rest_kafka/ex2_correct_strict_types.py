# cell: ex2_solution
# verdict: correct
# misconception: none: fields typed str with an unvalidated default (so an explicit null is a type error), the unset ones dropped, the answer built from the status document
%%writefile $PLUGIN
import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, StringConstraints

router = APIRouter()
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Zip = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z -]{3,10}$")]


class AddressChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = None
    street: Text = None
    city: Text = None
    zip: Zip = None


def setup(shop):
    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, body: AddressChange):
        fields = body.model_dump(exclude_unset=True)
        if len(fields) == 0:
            raise HTTPException(status_code=422, detail="nothing to change")
        doc = shop.order(order_id)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"no order {order_id}")
        if doc["final"]:
            raise HTTPException(status_code=409, detail="too late: " + doc["status"])
        event = shop.event("address_changed", order_id, address=fields,
                           event_id="address:" + uuid.uuid4().hex)
        await shop.publish("orders", order_id, event)
        address = dict(doc["address"])
        address.update(fields)
        return address
