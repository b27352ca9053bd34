"""`kafka-lab check NOTEBOOK`: the student's dry run before submitting.

Runs the notebook headless with the grader's time limits and prints every cell that would
fail (its self-check's sentence and message); exit code 0 when nothing fails, 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..exceptions import KafkaLabError

DESCRIPTION = ("Run your notebook's cells and visible self-checks headless, as the grader "
               "will (a fresh Kafka cluster, the grader's per-cell time limits, every cell "
               "even after one fails), and print what would fail and why, before you submit. "
               "The notebook file is not changed.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="students: what would fail in NOTEBOOK, before submitting",
                       description=DESCRIPTION)
    p.add_argument("notebook", type=Path, help="your notebook (.ipynb)")
    p.add_argument("--timeout", type=int, default=30,
                   help="per-cell limit in seconds (the grader's default: %(default)s)")
    p.add_argument("--out", type=Path, help="also write the executed notebook here")
    p.set_defaults(handler=check)


def check(args: argparse.Namespace) -> int:
    from ..course import selfcheck

    if not args.notebook.is_file():
        raise KafkaLabError(reason=f"{args.notebook} is not a file.",
                            fix="pass the path of your notebook, e.g. "
                            "notebooks/00_welcome/00_welcome.ipynb")
    print(f"running {args.notebook} as the grader will (this starts a Kafka cluster) ...",
          flush=True)
    nb, found = selfcheck.run(args.notebook, args.timeout, args.out)
    print(selfcheck.report(nb, found))
    return 1 if found else 0
