"""Entry point of one shop process: ``python -m kafkalab.lessons.shop.serve <role> --port P``.

The shop's settings (client configuration, topic prefix, catalog, delays) come as JSON in the
environment variable KAFKALAB_SHOP, written by :class:`kafkalab.lessons.shop.Shop`.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
from typing import Any

ROLES = ("gateway", "orders", "inventory", "payments", "shipping", "notifications",
         "sync-gateway", "sync-inventory", "sync-payments", "sync-shipping",
         "sync-notifications")


def settings() -> dict[str, Any]:
    raw = os.environ.get("KAFKALAB_SHOP")
    if not raw:
        sys.exit("KAFKALAB_SHOP is not set. Fix: start services through kafkalab.lessons.shop.Shop "
                 "or `kafka-lab shop up`.")
    return json.loads(raw)


def worker_service(role: str, conf: dict[str, Any]) -> Any:
    from . import services
    from .views import Tables

    if role == "inventory":
        catalog = Tables(conf["client"], conf["prefix"], ("products",)).start()
        catalog.wait_ready(60)
        return services.Inventory(catalog)
    if role == "payments":
        return services.Payments(delay=float(conf.get("delays", {}).get("payments", 0.0)),
                                 ledger=conf.get("ledger"))
    return {"orders": services.Orders, "shipping": services.Shipping,
            "notifications": services.Notifications}[role]()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m kafkalab.lessons.shop.serve")
    ap.add_argument("role", choices=ROLES)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--replica", type=int, default=0)
    ap.add_argument("--plugin", default=None)
    args = ap.parse_args(argv)
    conf = settings()
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 <pid>` writes every thread's stack to the log
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    if args.role.startswith("sync-") or args.role == "gateway":
        import uvicorn

        from . import gateway, syncchain

        if args.role == "gateway":
            app = gateway.create_app(conf["client"], conf["prefix"], plugin=args.plugin)
        elif args.role == "sync-gateway":
            app = syncchain.gateway_app(conf["sync_services"], conf["catalog"],
                                        timeout=float(conf.get("sync_timeout", 2.0)))
        else:
            name = args.role.removeprefix("sync-")
            app = syncchain.service_app(name, conf["catalog"],
                                        delay=float(conf.get("delays", {}).get(name, 0.0)))
        # keep idle connections open longer than clients keep them (httpx: 5 s), or a client
        # can send a request on a connection the server is just closing (ReadError)
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning",
                    access_log=False, timeout_keep_alive=75)
        return
    from .worker import Worker

    service = worker_service(args.role, conf)
    Worker(service, conf["client"], conf["prefix"], args.port, replica=args.replica,
           batch=int(conf.get("batch", 100))).run()


if __name__ == "__main__":
    main()
