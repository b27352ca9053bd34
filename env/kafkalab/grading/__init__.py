"""The instructor's grading pipeline: nbgrader autograde, one private Kafka per submission.

    kafka-lab grade SUBMISSIONS [--assignment NAME] [--out DIR] [--jobs N] [--timeout S]
"""

from .collect import Submission, collect

__all__ = ["Submission", "collect"]
