# cell: ex2_solution
# verdict: wrong
# misconception: publishes the change first and only then looks the order up (to build the answer): the 404 and
#   409 are decided after the event is in Kafka, so a PATCH to an unknown id creates a ghost order in order-status
#   (the orders service treats any event as an accepted order) and a shipped order gets an address_changed event
# loses: ex2_test_missing_or_final
%%writefile $PLUGIN
import uuid

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter()


def setup(shop):
    class AddressPatch(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str = Field(None, min_length=1, max_length=100)
        street: str = Field(None, min_length=1, max_length=200)
        city: str = Field(None, min_length=1, max_length=100)
        zip: str = Field(None, pattern=r"^[0-9A-Za-z -]{3,10}$")

    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, patch: AddressPatch) -> dict:
        change = patch.model_dump(exclude_unset=True)
        if not change:
            raise HTTPException(422, "give at least one address field")
        await shop.publish("orders", order_id, shop.event(
            "address_changed", order_id, address=change, event_id=f"address:{uuid.uuid4().hex}"))
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        if order["final"]:
            raise HTTPException(409, f"the order is already {order['status']}")
        return {**order["address"], **change}
