"""``python -m kafkalab.lessons.consumers spec.json``: one worker process
(what :func:`~kafkalab.lessons.consumers.start_worker` spawns)."""

import sys

from .workers import worker_main

if __name__ == "__main__":
    worker_main(sys.argv[1])
