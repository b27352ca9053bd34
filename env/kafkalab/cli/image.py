"""`kafka-lab image build`: the docker backend's Kafka image, made with no registry."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "image", help="build the Kafka image for the docker backend, with no registry",
        description="Build a Kafka image from the locked jars on a jlink'd Java (`FROM "
        "scratch`, no base image pulled), for start_cluster(backend='docker').")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    b = actions.add_parser("build", help="build (or reuse) the image",
                           description="Build the image, or reuse it when its tag is current; "
                           "prints the tag.")
    b.add_argument("--tag", default=None, help="image tag (default: the local tag the docker "
                   "backend looks for)")
    b.add_argument("--force", action="store_true", help="rebuild even if the tag is current")
    b.add_argument("--no-cds", action="store_true", help="skip the class-data-sharing pass")
    p.set_defaults(handler=build)


def build(args: argparse.Namespace) -> int:
    from ..image import LOCAL_TAG, build_image

    print(build_image(args.tag or LOCAL_TAG, force=args.force, cds=not args.no_cds))
    return 0
