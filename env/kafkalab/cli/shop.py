"""`kafka-lab shop up|down|status|bench`: lesson 07's shop outside a notebook.

Its subcommands are the shop's own parser: everything after `shop` goes to it.
"""

from __future__ import annotations

import argparse

DESCRIPTION = ("Lesson 07's shop of services behind a REST API, outside a notebook: `up` starts "
               "it (and a cluster), `status` asks each service's health, `down` stops it, "
               "`bench` measures orders/s, latency and recovery.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shop", help="run lesson 07's shop: up, down, status, bench",
                       description=DESCRIPTION, add_help=False, prefix_chars="\0")
    p.add_argument("args", nargs=argparse.REMAINDER, help="up|down|status|bench [options]")
    p.set_defaults(handler=shop)


def shop(args: argparse.Namespace) -> int:
    from ..lessons.shop.cli import main as shop_main

    if not args.args or any(a in ("-h", "--help") for a in args.args[:1]):
        print(DESCRIPTION + "\n")
    return shop_main(args.args) or 0
