"""Request bodies of the REST API (pydantic: a body that does not fit answers 422)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Quantity = Annotated[int, Field(ge=1, le=1000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Address(Strict):
    name: str = Field(min_length=1, max_length=100)
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    zip: str = Field(pattern=r"^[0-9A-Za-z -]{3,10}$")


class Product(Strict):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    stock: int = Field(ge=0, description="units supplied; available = stock - reserved")


class ProductPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=100)
    price: float | None = Field(None, gt=0)
    stock: int | None = Field(None, ge=0)


class Cart(Strict):
    items: dict[str, Quantity] = Field(default_factory=dict)


class CartPatch(Strict):
    """JSON merge patch of the items: a quantity sets it, null (or 0) removes the product."""

    items: dict[str, Annotated[int, Field(ge=0, le=1000)] | None]


class OrderIn(Strict):
    cart_id: str | None = None
    items: dict[str, Quantity] | None = None
    address: Address

    @model_validator(mode="after")
    def one_source(self) -> OrderIn:
        if (self.cart_id is None) == (self.items is None):
            raise ValueError("give exactly one of cart_id or items")
        if self.items is not None and not self.items:
            raise ValueError("items is empty")
        return self
