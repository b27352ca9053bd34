# cell: ex2_solution
# verdict: wrong
# misconception: an empty PATCH body is a valid no-op (200 with the unchanged address, an empty change published)
# loses: ex2_test_invalid
%%writefile $PLUGIN
import uuid

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter()


def setup(shop):
    class AddressPatch(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str | None = Field(None, min_length=1, max_length=100)
        street: str | None = Field(None, min_length=1, max_length=200)
        city: str | None = Field(None, min_length=1, max_length=100)
        zip: str | None = Field(None, pattern=r"^[0-9A-Za-z -]{3,10}$")

    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, patch: AddressPatch) -> dict:
        change = patch.model_dump(exclude_none=True)  # only what the client sent
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        if order["final"]:
            raise HTTPException(409, "the order is final")
        await shop.publish("orders", order_id, shop.event(
            "address_changed", order_id, address=change, event_id=f"address:{uuid.uuid4().hex}"))
        return {**order["address"], **change}
