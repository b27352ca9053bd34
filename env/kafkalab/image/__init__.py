"""Build a Kafka image with no registry: the locked Maven jars on a jlink'd Java, `FROM scratch`.

    python -m kafkalab.image build [--tag kafka-lab/kafka:local] [--force]

The image's root holds a Java runtime made by ``jlink`` from the host JDK's jmods, the glibc,
libz and libstdc++ files ``ldd`` lists for it and for the native libraries inside the zstd,
snappy and lz4 jars, a static busybox (when one is installed), a /tmp with mode 1777, and the
jars of both Kafka versions the local backend uses (``/opt/kafka-<version>/libs``). It is
streamed to the engine as one tar (``docker import``), so no base image is pulled. The docker
backend runs any main class in it (``kafka.Kafka``, ``QuorumPeerMain``, ``StorageTool``).
"""

from __future__ import annotations

import argparse
import sys

from ..backends.docker.images import LOCAL_TAG
from ..exceptions import KafkaLabError
from .build import build_image, java_home

__all__ = ["LOCAL_TAG", "build_image", "java_home", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kafkalab.image",
                                     description="Build the Kafka image locally, no registry.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build (or reuse) the image from the locked Maven jars")
    b.add_argument("--tag", default=LOCAL_TAG)
    b.add_argument("--force", action="store_true", help="rebuild even if the tag is current")
    b.add_argument("--no-cds", action="store_true", help="skip the class-data-sharing pass")
    args = parser.parse_args(argv)
    try:
        print(build_image(args.tag, force=args.force, cds=not args.no_cds))
    except KafkaLabError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
