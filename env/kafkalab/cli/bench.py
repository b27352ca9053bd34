"""`kafka-lab bench`: seconds to a ready cluster and resident memory (see kafkalab.bench)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="measure cluster start-up time and memory, write a figures file",
        description="Start 1-broker KRaft, 3-broker KRaft and ZooKeeper + 3-broker clusters "
        "on the local backend (--repeat times each), and write the median seconds to a cluster "
        "answering metadata and the resident memory, at ready and after 10,000 messages.")
    p.add_argument("--out", type=Path, default=Path("build/figures-env.json"),
                   help="figures file (default %(default)s)")
    p.add_argument("--repeat", type=int, default=3, help="starts per setup (default 3)")
    p.add_argument("--docker", action="store_true", help="also measure the docker backend")
    p.add_argument("--stock", action="store_true",
                   help="also measure Apache Kafka started without the course on this "
                   "machine (a format per node; its scripts' heap and GC flags, and bare with "
                   "small-machine flags), and report the course's lead over each")
    p.set_defaults(handler=bench)


def bench(args: argparse.Namespace) -> int:
    from ..bench import main as run_bench

    return run_bench(args.out, args.repeat, args.docker, args.stock)
