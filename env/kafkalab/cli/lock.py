"""`kafka-lab lock`: re-resolve the pinned jar sets with Maven (maintainers only)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lock", help="maintainers: re-resolve the pinned jar sets with Maven, rewrite the locks",
        description="Resolve each Kafka jar set's runtime closure with Maven (`mvn` on PATH) "
        "and rewrite env/kafkalab/locks/*.json with every jar's SHA-256. Students never need "
        "this: `fetch` downloads the locked jars.")
    p.set_defaults(handler=lock)


def lock(args: argparse.Namespace) -> int:
    from ..lockgen import main as write_locks

    write_locks()
    return 0
