"""Course tooling: release the student notebooks, run every solution notebook against real
Kafka, validate them, and measure how long that takes.

    python -m kafkalab.course release [NN_name ...]
    python -m kafkalab.course run [--only NAME] [--full] [--out build/run]
    python -m kafkalab.course validate [--only NAME] [--run-dir build/run]
    python -m kafkalab.course bench --out build/figures-course.json
"""

from .paths import CoursePaths, find_root, lessons

__all__ = ["CoursePaths", "find_root", "lessons"]
