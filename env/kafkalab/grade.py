"""python -m kafkalab.grade: the instructor's grading command (see kafkalab.grading.cli)."""

import sys

from .grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
