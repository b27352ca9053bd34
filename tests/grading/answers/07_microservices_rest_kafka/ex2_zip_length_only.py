# cell: ex2_solution
# verdict: wrong
# misconception: "3 to 10 letters, digits, spaces or hyphens" read as a length rule only: the characters of the zip
#   are never checked ("!!!", "<script>" are accepted)
# loses: ex2_test_invalid
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
        zip: str | None = Field(None, min_length=3, max_length=10)

    @router.patch("/orders/{order_id}/address")
    async def patch_address(order_id: str, patch: AddressPatch) -> dict:
        change = patch.model_dump(exclude_unset=True)
        if not change or None in change.values():
            raise HTTPException(422, "give at least one address field, none of them null")
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        if order["final"]:
            raise HTTPException(409, "the order is final")
        await shop.publish("orders", order_id, shop.event(
            "address_changed", order_id, address=change, event_id=f"address:{uuid.uuid4().hex}"))
        return {**order["address"], **change}
