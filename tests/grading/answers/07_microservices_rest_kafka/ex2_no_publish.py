# cell: ex2_solution
# verdict: wrong
# misconception: the new address is kept in the gateway process (a dict) instead of being published to Kafka: the order's status document never changes
# loses: ex2_test_valid
%%writefile $PLUGIN
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter()
ADDRESSES = {}


def setup(shop):
    class AddressPatch(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str | None = Field(None, min_length=1)
        street: str | None = Field(None, min_length=1)
        city: str | None = Field(None, min_length=1)
        zip: str | None = Field(None, pattern=r"^[0-9A-Za-z -]{3,10}$")

    @router.patch("/orders/{order_id}/address")
    def patch_address(order_id: str, patch: AddressPatch) -> dict:
        change = patch.model_dump(exclude_none=True)
        if not change:
            raise HTTPException(422, "give at least one field")
        order = shop.order(order_id)
        if order is None:
            raise HTTPException(404, "order not found")
        if order.get("final"):
            raise HTTPException(409, "the order is final")
        ADDRESSES[order_id] = {**ADDRESSES.get(order_id, order["address"]), **change}
        return ADDRESSES[order_id]
