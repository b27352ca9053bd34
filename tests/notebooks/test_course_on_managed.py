"""The course against a managed cluster: lessons that need nothing but a cluster's address run to
the end through the external backend, against the local managed-style cluster (SASL_SSL with an
API key, ACLs granted for the course's topics and groups), configured as a student would be, with
a ``client.properties`` file in ``KAFKA_CLIENT_PROPERTIES``.

    pytest tests/notebooks/test_course_on_managed.py                    # 00, 04, 05
    KAFKA_LAB_MANAGED_NOTEBOOKS=02,06,09 pytest tests/notebooks/test_course_on_managed.py

05 needs ZooKeeper throughout: it says so in its first cell and skips every section (its graded
checks too). 04 is the lesson whose tools (Kafka's own consumer-groups tool) need the security
settings passed on. 02 (about 80 s, share groups: its account also needs ALTER_CONFIGS), 06
(about 70 s) and 09 (about 85 s; it skips its broker-control sections) pass too, measured on a
busy 2-core machine, but CI's 45-minute budget has no room for them: they run when asked for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from kafkalab import start_cluster
from kafkalab.cluster import Cluster
from kafkalab.course.paths import CoursePaths, find_root, lessons
from kafkalab.lessons.managed import acl, grant
from kafkalab.needs import needs_of

pytestmark = pytest.mark.notebooks

ROOT = find_root(Path(__file__))
FAST_GROUPS = {"group.consumer.heartbeat.interval.ms": "500",
               "group.consumer.min.heartbeat.interval.ms": "500"}
DEFAULT_LESSONS = ["00_welcome", "04_consumer_groups", "05_zookeeper_and_kraft"]


def chosen() -> list[str]:
    """The lessons to run: ``KAFKA_LAB_MANAGED_NOTEBOOKS`` (names or numbers, comma-separated),
    else the default ones."""
    only = [x.strip() for x in os.environ.get("KAFKA_LAB_MANAGED_NOTEBOOKS", "").split(",")
            if x.strip()]
    return lessons(CoursePaths(ROOT), only) if only else DEFAULT_LESSONS


@pytest.fixture(scope="module")
def student_props(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, Path]]:
    work = tmp_path_factory.mktemp("managed-course")
    # the group heartbeat 04's own cluster uses (0.5 s, not the 5 s default): its KIP-848 demo
    # then takes seconds, not a minute; what this test checks is the managed path, not that
    with start_cluster(security="managed", backend="local", reuse=False,
                       broker_config=FAST_GROUPS) as cluster:
        key = cluster.create_api_key("course")
        who = f"User:{key.key}"
        # what a course account on a managed service is given: its topics, groups and
        # transactional ids (here every name), and the right to create topics
        grant(cluster.admin(), [acl(who, "TOPIC", "*", "ALL"), acl(who, "GROUP", "*", "ALL"),
                                acl(who, "TRANSACTIONAL_ID", "*", "ALL"),
                                acl(who, "CLUSTER", "kafka-cluster", "CREATE"),
                                acl(who, "CLUSTER", "kafka-cluster", "DESCRIBE"),
                                acl(who, "CLUSTER", "kafka-cluster", "IDEMPOTENT_WRITE"),
                                # 02 sets its share group's settings (incrementalAlterConfigs)
                                acl(who, "CLUSTER", "kafka-cluster", "ALTER_CONFIGS"),
                                acl(who, "CLUSTER", "kafka-cluster", "DESCRIBE_CONFIGS")])
        yield cluster, cluster.client_properties(key, work / "client.properties")


@pytest.mark.parametrize("name", chosen())
def test_lesson_runs_on_a_managed_cluster(student_props: tuple[Cluster, Path], name: str,
                                          tmp_path: Path) -> None:
    cluster, props = student_props
    env = {**os.environ, "KAFKA_LAB_ROOT": str(ROOT), "KAFKA_CLIENT_PROPERTIES": str(props)}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    run = subprocess.run([sys.executable, "-m", "kafkalab", "course", "run", "--only", name,
                          "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=1200)
    result = json.loads((tmp_path / f"{name}.result.json").read_text())
    assert result["status"] == "ok", (f"{name} failed at cell {result.get('failing_cell')}: "
                                      f"{result.get('error')}\n{run.stdout[-1500:]}")
    assert result["points"] == result["max_points"], result["grade_cells"]
    # it really ran on the managed cluster: the notebook's outputs name the external address
    nb = nbformat.read(tmp_path / f"{name}.ipynb", 4)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert cluster.bootstrap_servers.split(",")[0] in outputs, "the lesson did not print its cluster"
    # the cluster is described as what it is (KRaft), whatever mode the lesson asked for
    assert "<Cluster zookeeper" not in outputs, "a KRaft cluster was printed as a ZooKeeper one"
    if needs_of(name):  # a section it cannot run here is announced first, then skipped
        assert "will be skipped" in outputs and "skipped: this cell needs" in outputs
