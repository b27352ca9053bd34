"""``python -m kafkalab.lessons.exactly_once spec.json``: one copier process (what
:func:`~kafkalab.lessons.exactly_once.start_copier` spawns)."""

import sys

from .copier import copier_main

if __name__ == "__main__":
    copier_main(sys.argv[1])
