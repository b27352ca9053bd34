"""Course tooling: release the student notebooks, run every solution notebook against real
Kafka, validate them, and measure how long that takes.

    kafka-lab course release [NN_name ...]
    kafka-lab course run [--only NAME] [--full] [--out build/run]
    kafka-lab course validate [--only NAME] [--run-dir build/run]
    kafka-lab course bench --out build/figures-course.json
    kafka-lab check NOTEBOOK        (students: the notebook run as the grader will)

The command line itself is :mod:`kafkalab.cli.course` and :mod:`kafkalab.cli.check`.
"""

from .paths import CoursePaths, find_root, lessons

__all__ = ["CoursePaths", "find_root", "lessons"]
