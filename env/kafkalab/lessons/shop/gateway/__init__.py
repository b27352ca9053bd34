"""The REST gateway (FastAPI): products, carts and orders over HTTP, state in Kafka.

Writes go to Kafka and are answered once the brokers acknowledge them (acks=all); reads come
from compacted topics this process reads back into memory on start. The gateway keeps nothing
that Kafka does not hold, so it can be killed and restarted (or run as several replicas).

Modules: ``context`` (:class:`ShopContext`, what every endpoint and plugin uses: the tables and an
acknowledged publish), one router per resource (``products``, ``carts``, ``orders``), and here
:func:`create_app` and :func:`load_plugin`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response

from ..models import not_json_is_400
from . import carts, orders, products
from .context import ShopContext

__all__ = ["ShopContext", "create_app", "load_plugin"]


def create_app(client: dict[str, Any], prefix: str, plugin: str | None = None) -> FastAPI:
    """The gateway: ``/health`` and the products, carts and orders routers (plus a plugin's)."""
    shop = ShopContext(client, prefix)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        shop.tables.start()
        yield
        shop.close()

    app = FastAPI(title="Kafka Lab shop", version="1.0", lifespan=lifespan,
                  description="A small shop whose services talk through Kafka.")
    app.state.shop = shop
    not_json_is_400(app)

    @app.get("/health")
    def health(response: Response) -> dict[str, Any]:
        ready = shop.tables.ready.is_set()
        response.status_code = 200 if ready else 503
        return {"status": "ok" if ready else "loading", "ready": ready, "mode": "kafka"}

    for resource in (products, carts, orders):
        app.include_router(resource.router)
    if plugin:
        load_plugin(app, shop, plugin)
    return app


def load_plugin(app: FastAPI, shop: ShopContext, path: str) -> None:
    """Add the endpoints of a plugin file: it defines ``router`` (an APIRouter) and optionally
    ``setup(shop)``, called first with the :class:`ShopContext`."""
    spec = importlib.util.spec_from_file_location(f"shop_plugin_{Path(path).stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load the gateway plugin {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "setup"):
        module.setup(shop)
    app.include_router(module.router)
