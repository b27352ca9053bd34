"""`kafka-lab fetch`: download and verify the Kafka jars, then the one-time warm-up.

Binder's build and `python lab.py setup` run it, so a student never waits for a download.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fetch", help="download and verify the Kafka jars (then warm the start-up caches)",
        description="Download the pinned Kafka jar sets into the cache and check every SHA-256 "
        "(nothing is downloaded when they are there), then make the one-time KRaft storage "
        "template and class archives (AOT caches on Java 25+) that speed up every cluster start.")
    p.add_argument("--jars-only", action="store_true",
                   help="skip the one-time warm-up (storage template, class archives)")
    p.set_defaults(handler=fetch)


def fetch(args: argparse.Namespace) -> int:
    from ..jars import KAFKA_VERSION, SETS, ensure_jars

    for name in SETS:
        print(f"{name}: {ensure_jars(name)}", flush=True)
    if not args.jars_only:
        from ..backends.cache import formatted_template
        from ..backends.plan import Mode
        from ..warmup import make_cds_archive

        print(f"KRaft storage template: {formatted_template(KAFKA_VERSION)}", flush=True)
        for mode in Mode:
            print(f"Class archive: {make_cds_archive(mode)}", flush=True)
    return 0
