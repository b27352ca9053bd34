# cell: ex2_solution
# verdict: wrong
# misconception: the order's state is never checked: a shipped order's address is changed (200 instead of 409)
# loses: ex2_test_missing_or_final
%%writefile $PLUGIN
import uuid

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter()


def setup(shop):
    class AddressPatch(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str | None = Field(None, min_length=1)
        street: str | None = Field(None, min_length=1)
        city: str | None = Field(None, min_length=1)
        zip: str | None = Field(None, pattern=r"^[0-9A-Za-z -]{3,10}$")

    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, patch: AddressPatch) -> dict:
        change = patch.model_dump(exclude_none=True)
        if not change:
            raise HTTPException(422, "give at least one field")
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        await shop.publish("orders", order_id, shop.event(
            "address_changed", order_id, address=change, event_id=f"address:{uuid.uuid4().hex}"))
        return {**order["address"], **change}
