"""nbgrader configuration: solutions/ is the source, notebooks/ the student release."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by nbgrader

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.log", "build",
                            "ci_parameters.json"]
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'grader' / 'gradebook.db'}"
# The formgrader's release/collect exchange needs a course id, and a folder it can create: inside
# the repository's ignored build/ (nbgrader's default, /usr/local/share/nbgrader/exchange, needs
# root).
c.CourseDirectory.course_id = "kafka-lab"
c.Exchange.root = str(ROOT / "build" / "exchange")
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearOutput.remove_metadata_fields = ["collapsed", "scrolled", "execution"]
c.Execute.timeout = 300
