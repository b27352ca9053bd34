"""The committed release (notebooks/) is what nbgrader generates from solutions/ (no drift),
and no notebook is committed with outputs. No Kafka needed: nbgrader only rewrites cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafkalab.course.nbcheck import read
from kafkalab.course.paths import CoursePaths, find_root, lessons
from kafkalab.course.release import generate_many, notebooks_with_outputs, tree

PATHS = CoursePaths(find_root(Path(__file__)))
LESSONS = lessons(PATHS)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_many(PATHS, LESSONS, tmp_path_factory.mktemp("release"))


@pytest.mark.parametrize("name", LESSONS)
def test_release_matches_solutions(name: str, regenerated: dict[str, Path]) -> None:
    fresh = regenerated[name]
    committed = PATHS.notebooks / name
    assert committed.is_dir(), f"notebooks/{name} is missing: kafka-lab course release"
    assert tree(fresh) == tree(committed), (
        f"notebooks/{name} differs from what solutions/{name} generates. "
        f"Fix: kafka-lab course release {name}")


def test_no_outputs_committed() -> None:
    bad = notebooks_with_outputs(PATHS.notebooks) + notebooks_with_outputs(PATHS.solutions)
    assert not bad, f"clear the outputs of {bad} (jupyter nbconvert --clear-output --inplace)"


@pytest.mark.parametrize("name", LESSONS)
def test_parameters_cell(name: str) -> None:
    nb = read(PATHS.solution(name))
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged `parameters`"
    assert "BOOTSTRAP_SERVERS" in tagged[0].source
    params = PATHS.ci_parameters(name)
    for key in params:
        assert f"{key} =" in tagged[0].source, f"ci_parameters.json sets unknown {key}"


def test_release_check_catches_drift(regenerated: dict[str, Path]) -> None:
    """The drift comparison is not vacuous: an edited release differs."""
    if not LESSONS:
        pytest.skip("no lessons yet")
    fresh = regenerated[LESSONS[0]]
    before = tree(fresh)
    nb_path = fresh / f"{LESSONS[0]}.ipynb"
    nb_path.write_text(nb_path.read_text().replace("Kafka", "Kafke", 1))
    assert tree(fresh) != before
