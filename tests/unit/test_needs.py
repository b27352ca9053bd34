"""kafkalab.needs: each lesson's needs in one table; what a cluster offers; the %%needs magic."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kafkalab import needs
from kafkalab.course.paths import CoursePaths, find_root, lessons
from kafkalab.exceptions import KafkaLabError
from kafkalab.needs import Need

pytestmark = pytest.mark.unit

LOCAL = SimpleNamespace(backend="local", mode="kraft", zookeeper_connect=None,
                        bootstrap_servers="127.0.0.1:1")
LOCAL_ZK = SimpleNamespace(backend="local", mode="zookeeper", zookeeper_connect="127.0.0.1:2",
                           bootstrap_servers="127.0.0.1:1")
EXTERNAL = SimpleNamespace(backend="external", mode="kraft", zookeeper_connect=None,
                           bootstrap_servers="pkc-1.example:9092")


def test_every_lesson_is_in_the_table() -> None:
    from pathlib import Path

    assert set(lessons(CoursePaths(find_root(Path(__file__))))) == set(needs.NEEDS)


def test_parse_accepts_magic_spellings_and_refuses_unknown() -> None:
    assert Need.parse("broker_control") is Need.BROKER_CONTROL
    assert Need.parse("ZooKeeper") is Need.ZOOKEEPER
    with pytest.raises(KafkaLabError, match="Unknown need 'disk'"):
        Need.parse("disk")


def test_what_clusters_offer() -> None:
    assert needs.offers(LOCAL, Need.BROKER_CONTROL)
    assert not needs.offers(LOCAL, Need.ZOOKEEPER)
    assert needs.offers(LOCAL_ZK, Need.ZOOKEEPER)
    assert not needs.offers(EXTERNAL, Need.BROKER_CONTROL)


def test_check_says_what_is_skipped_on_an_external_cluster(capsys) -> None:
    result = needs.check("03_producers", EXTERNAL)
    printed = capsys.readouterr().out
    assert "will be skipped" in printed and "pkc-1.example:9092" in printed
    assert not result.has("broker_control") and result.has(Need.ZOOKEEPER)
    assert needs.skipped("broker_control").startswith("skipped: this cell needs broker control")


def test_nothing_is_skipped_on_a_cluster_the_course_started(capsys) -> None:
    result = needs.check("03_producers", LOCAL)
    assert capsys.readouterr().out == "" and result.missing == {}
    assert needs.skipped("broker_control") is None
    assert needs.check("02_pubsub_models", EXTERNAL).missing == {}


def test_the_cell_magic_skips_or_runs_the_cell() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        needs.check("03_producers", EXTERNAL, show=False)
        shell.run_cell("%%needs broker_control\nran = 1\n", store_history=False)
        assert "ran" not in shell.user_ns
        needs.check("03_producers", LOCAL, show=False)
        out = shell.run_cell("%%needs broker_control\nran = 2\nran * 10\n", store_history=False)
        assert shell.user_ns["ran"] == 2 and out.result == 20
        failed = shell.run_cell("%%needs broker_control\n1 / 0\n", store_history=False)
        assert isinstance(failed.error_in_exec, ZeroDivisionError)  # an error is not swallowed
    finally:
        InteractiveShell.clear_instance()


def _code_cells(lesson: str) -> list[str]:
    import json
    from pathlib import Path

    path = CoursePaths(find_root(Path(__file__))).solution(lesson)
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("lesson", sorted(needs.NEEDS))
def test_a_lesson_guards_only_what_it_declares_after_checking_its_cluster(lesson: str) -> None:
    """Every ``%%needs`` cell names needs its lesson declares, and comes after the cell that
    calls ``check`` with the lesson's own name (else the magic is not registered, or follows
    another lesson's answer)."""
    cells = _code_cells(lesson)
    guarded = [i for i, src in enumerate(cells) if src.startswith("%%needs")]
    if not guarded:
        return
    checks = [i for i, src in enumerate(cells) if f'check("{lesson}", cluster' in src]
    assert checks and checks[0] < guarded[0], f"{lesson}: no check({lesson!r}, cluster) first"
    for i in guarded:
        line = cells[i].splitlines()[0]
        for word in line.split()[1:] or ["broker_control"]:
            assert Need.parse(word) in needs.needs_of(lesson), f"{lesson}: {line!r} undeclared"


@pytest.mark.parametrize("lesson", ["00_welcome", "01_request_response",
                                    "07_microservices_rest_kafka"])
def test_a_lesson_that_declares_needs_guards_its_cells(lesson: str) -> None:
    """The lessons that declare broker control and skip those sections on a managed cluster."""
    cells = _code_cells(lesson)
    assert needs.needs_of(lesson) and any(src.startswith("%%needs") for src in cells)
    assert any(f'check("{lesson}", cluster' in src for src in cells)
