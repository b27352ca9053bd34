#!/usr/bin/env python3
"""Same as `python -m kafkalab.grade` (see README.md in this folder)."""

import sys

from kafkalab.grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
