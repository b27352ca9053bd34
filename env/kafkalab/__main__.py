"""`python -m kafkalab`: the same command line as `kafka-lab` (see kafkalab.cli)."""

import sys

from .cli import main

sys.exit(main())
