"""What each lesson needs from its cluster, in one place, and how a notebook skips the rest.

A lesson run against a cluster the course did not start (``KAFKA_BOOTSTRAP_SERVERS``: a managed
service, a classroom cluster) cannot kill brokers, read their files or ask a ZooKeeper. Each
lesson declares here which of its sections need what; its setup cell calls
``check(lesson, cluster)``, which says in the first output what will be skipped and why, and the
cells of those sections start with the cell magic ``%%needs broker_control`` (or ``zookeeper``):
on a cluster that cannot, the cell prints one line and does nothing instead of failing half-way.

    needs = check("03_producers", cluster)
    if needs.has(Need.BROKER_CONTROL): ...
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field
from typing import Any

from .cluster import Cluster
from .exceptions import KafkaLabError


class Need(enum.Enum):
    """Something a section needs that only a cluster the course started itself offers."""

    BROKER_CONTROL = "broker control"  # kill, stop, pause or restart brokers; read their files
    ZOOKEEPER = "zookeeper"  # a ZooKeeper-mode cluster with its ensemble reachable

    @classmethod
    def parse(cls, text: str) -> Need:
        key = text.strip().lower().replace("_", " ").replace("-", " ")
        for need in cls:
            if need.value == key:
                return need
        raise KafkaLabError(reason=f"Unknown need {text!r}.",
                            fix=f"use one of {[n.name.lower() for n in cls]}.")


# lesson -> {need: the sections that need it}. Lessons absent here, or with an empty dict,
# run to the end on any cluster, a managed one included.
NEEDS: dict[str, dict[Need, str]] = {
    "00_welcome": {Need.BROKER_CONTROL: "§4, the log on disk (it reads the broker's files)"},
    "01_request_response": {Need.BROKER_CONTROL: "§7's frozen broker (message.timeout.ms: it "
                            "pauses the partition's leader)"},
    "02_pubsub_models": {},
    "03_producers": {Need.BROKER_CONTROL: "the acks experiments (they kill, pause and restart "
                     "brokers), the notes' producer run, NOT_ENOUGH_REPLICAS, unclean "
                     "leader election, exercise 2"},
    "04_consumer_groups": {Need.BROKER_CONTROL: "§5, a broker killed under a reading group (it "
                           "starts three brokers of its own)"},
    "05_zookeeper_and_kraft": {Need.ZOOKEEPER: "the whole lesson (it reads ZooKeeper)",
                               Need.BROKER_CONTROL: "the failovers (they kill controllers)"},
    "06_partitions_and_parallelism": {},
    "07_microservices_rest_kafka": {Need.BROKER_CONTROL: "§4, a broker killed mid-load"},
    "08_managed_kafka": {},
    "09_exactly_once": {Need.BROKER_CONTROL: "§2's fault-injecting proxy in front of a "
                        "broker and §3's coordinator kill"},
}


def needs_of(lesson: str) -> dict[Need, str]:
    """The needs a lesson declares (empty: it runs on any cluster)."""
    return dict(NEEDS.get(lesson, {}))


def offers(cluster: Cluster, need: Need) -> bool:
    """Whether this cluster can do what ``need`` names."""
    if need is Need.BROKER_CONTROL:
        return cluster.backend != "external"
    return (cluster.backend != "external" and cluster.mode == "zookeeper"
            and bool(cluster.zookeeper_connect))


@dataclass
class LessonNeeds:
    """A lesson's needs checked against the cluster it runs on."""

    lesson: str
    cluster_text: str
    missing: dict[Need, str] = field(default_factory=dict)

    def has(self, need: Need | str) -> bool:
        """True when the cluster offers ``need`` (or the lesson does not declare it)."""
        the_need = need if isinstance(need, Need) else Need.parse(need)
        return the_need not in self.missing

    def message(self) -> str:
        if not self.missing:
            return f"{self.lesson}: every section runs on {self.cluster_text}."
        parts = [f"{need.value} ({sections})" for need, sections in self.missing.items()]
        return (f"{self.lesson} on {self.cluster_text}: the sections that need "
                f"{'; '.join(parts)} will be skipped, each with a one-line note. "
                "To run them, unset KAFKA_BOOTSTRAP_SERVERS (and KAFKA_CLIENT_PROPERTIES) so "
                "that the course starts its own cluster.")

    def _repr_markdown_(self) -> str:
        return self.message()

    def __str__(self) -> str:
        return self.message()


_current: LessonNeeds | None = None


def check(lesson: str, cluster: Cluster, *, show: bool = True) -> LessonNeeds:
    """Check ``lesson``'s declared needs against ``cluster``; print what will be skipped; make the
    ``%%needs`` cell magic follow this answer for the rest of the notebook."""
    global _current
    text = (f"an external cluster at {cluster.bootstrap_servers}"
            if cluster.backend == "external" else f"a {cluster.backend} {cluster.mode} cluster")
    result = LessonNeeds(lesson, text, {need: sections for need, sections
                                        in needs_of(lesson).items()
                                        if not offers(cluster, need)})
    _current = result
    register_magic()
    if show and result.missing:
        print(result.message())
    return result


def skipped(need_text: str) -> str | None:
    """The note a ``%%needs`` cell prints instead of running, or None when it may run."""
    needs = [Need.parse(word) for word in need_text.split()] or [Need.BROKER_CONTROL]
    if _current is None:
        return None
    missing = [n for n in needs if not _current.has(n)]
    if not missing:
        return None
    return (f"skipped: this cell needs {', '.join(n.value for n in missing)}, which "
            f"{_current.cluster_text} does not offer (see the lesson's first cell).")


def _needs_magic(line: str, cell: str) -> Any:
    """``%%needs broker_control``: run the cell, or print why it is skipped. Runs the body as
    ``%%time`` does (an error propagates once; the last expression's value is shown)."""
    note = skipped(line)
    if note is not None:
        print(note)
        return None
    from IPython import get_ipython

    shell = get_ipython()
    tree = ast.parse(shell.transform_cell(cell))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), shell.user_ns)  # noqa: S102 - the student's own cell
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), shell.user_ns)  # noqa: S307


def register_magic() -> None:
    """Register the ``%%needs`` cell magic in this IPython shell (once)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is installed with the course
        return
    shell = get_ipython()
    if shell is not None and "needs" not in shell.magics_manager.magics["cell"]:
        shell.register_magic_function(_needs_magic, magic_kind="cell", magic_name="needs")
