"""The instructor's grading pipeline: nbgrader autograde, one private Kafka per submission.

    kafka-lab grade SUBMISSIONS [--assignment NAME] [--out DIR] [--jobs N] [--timeout S]
                                [--regrade] [--roster CSV] [--dask-scheduler tcp://HOST:8786]

Besides grades.csv and the gradebook: feedback pages that list every check (``feedback``), the
LMS exports and changes.csv (``exports``), local or Dask dispatch (``dispatch``).
"""

from .collect import Submission, collect

__all__ = ["Submission", "collect"]
