"""Request bodies of the REST API, and the rule for bad ones (RFC 9110): a body that is not
JSON at all is malformed syntax, ``400 Bad Request``; well-formed JSON that does not fit the
model (missing or unknown field, wrong type, invalid value) is ``422 Unprocessable Content``.
FastAPI answers 422 for both; :func:`not_json_is_400` makes an app follow the rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def not_json_is_400(app: FastAPI) -> None:
    """Answer ``400`` when the body is not JSON (FastAPI's ``json_invalid`` error) and keep
    FastAPI's ``422`` for well-formed JSON that fails validation; applies to every route of
    ``app``, a plugin's included."""

    @app.exception_handler(RequestValidationError)
    async def _bad_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=status)
