"""kafkalab.needs: each lesson's needs in one table; what a cluster offers; the %%needs magic."""

from __future__ import annotations

import re
from pathlib import Path
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


# Calls that kill, pause, restart, proxy or read brokers: a lesson run on a cluster it did not
# start cannot make them.
# (a service's own .kill(), as 07's shop has, is not a broker's)
BROKER_CALLS = re.compile(r"\.broker\(|cluster\.kill\(|cluster\.pause\(|start_brokers|"
                          r"\.heal\(|through_proxy|"
                          r"coordinator_failover|FaultProxy|\.log_dir|measure_failover|"
                          r"zkl\.restore\(")


def _lessons_that_check() -> list[str]:
    """The lessons whose setup calls ``check(lesson, cluster)`` (the others do not skip yet)."""
    root = find_root(Path(__file__))
    return [name for name in lessons(CoursePaths(root))
            if f'check("{name}"' in (root / "solutions" / name / f"{name}.ipynb").read_text()
            .replace('\\"', '"')]


@pytest.mark.parametrize("lesson", _lessons_that_check())
def test_a_lesson_guards_what_it_declares(lesson: str) -> None:
    import nbformat

    from kafkalab.course import nbcheck

    nb = nbformat.read(find_root(Path(__file__)) / "solutions" / lesson / f"{lesson}.ipynb", 4)
    declared = needs.needs_of(lesson)
    whole = Need.ZOOKEEPER in declared  # a ZooKeeper lesson: every experiment reads ZooKeeper
    setup_seen = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = nbcheck.nbgrader_meta(cell).get("grade_id", "")
        first, _, body = cell.source.partition("\n")
        guarded = [Need.parse(w) for w in first.split()[1:]] if first.startswith("%%needs") \
            else []
        graded = nbcheck.is_grade(cell) or nbcheck.is_solution(cell)
        # An answer is never skippable. A graded check may be, when it reads ZooKeeper (05) or
        # what only a guarded experiment makes (03's ex2 = durability_check(...), see
        # test_what_only_a_guarded_cell_makes_is_used_only_in_guarded_cells): skipped, it scores
        # zero in the grader (its end-of-cell token never comes back), and the grader's restore
        # step puts the real %%needs magic back before it (test_grading_restore.py).
        assert not (nbcheck.is_solution(cell) and guarded), (
            f"{lesson} {gid}: an answer cell must not be skippable")
        assert all(n in declared for n in guarded), (
            f"{lesson} {gid} needs {guarded}, which NEEDS[{lesson!r}] does not declare, so the "
            "first cell never announces that it is skipped")
        if f'check("{lesson}"' in cell.source:
            setup_seen = True
            continue
        if graded or not setup_seen:
            continue
        if whole:
            assert guarded, f"{lesson} {gid}: every experiment of this lesson needs ZooKeeper"
        if BROKER_CALLS.search(body if guarded else cell.source):
            assert Need.BROKER_CONTROL in guarded, (
                f"{lesson} {gid} kills, proxies or reads brokers: start it with "
                "%%needs broker_control")
    assert setup_seen


def test_a_zookeeper_lesson_on_an_external_cluster_skips_everything(capsys) -> None:
    result = needs.check("05_zookeeper_and_kraft", EXTERNAL)
    assert "will be skipped" in capsys.readouterr().out
    assert not result.has(Need.ZOOKEEPER) and not result.has(Need.BROKER_CONTROL)
    assert needs.skipped("zookeeper broker_control").startswith(
        "skipped: this cell needs zookeeper, broker control")
    needs.check("05_zookeeper_and_kraft", LOCAL_ZK, show=False)
    assert needs.skipped("zookeeper broker_control") is None


FAULTS = (".kill(", ".stop()", ".pause(", ".start(", "acks_under_failure(", "durability_check(",
          "unclean_election(", "partition_folder(", "retention_run(")


@pytest.mark.parametrize("lesson", ["00_welcome", "03_producers"])
def test_cells_that_control_brokers_are_guarded(lesson: str) -> None:
    """A lesson that declares broker control checks its cluster in the setup cell, and every cell
    that kills, stops, starts or reads a broker (or uses a result only such a cell makes) starts
    with ``%%needs broker_control``: on a managed cluster it is skipped, not failed half-way."""
    import json
    from pathlib import Path

    root = find_root(Path(__file__))
    nb = json.loads((root / "solutions" / lesson / f"{lesson}.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert Need.BROKER_CONTROL in needs.needs_of(lesson)
    assert any(f'check("{lesson}", cluster)' in src for src in code)
    unguarded = [src.splitlines()[0] for src in code
                 if any(f in src.replace("cluster.stop()", "") for f in FAULTS)  # the teardown
                 and not src.startswith("%%needs broker_control")]
    assert not unguarded, f"{lesson}: cells that need broker control, not guarded: {unguarded}"


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
    checks = [i for i, src in enumerate(cells)
              if re.search(rf'check\("{lesson}", *\w*cluster', src)]
    assert checks and checks[0] < guarded[0], f"{lesson}: no check({lesson!r}, cluster) first"
    for i in guarded:
        line = cells[i].splitlines()[0]
        for word in line.split()[1:] or ["broker_control"]:
            assert Need.parse(word) in needs.needs_of(lesson), f"{lesson}: {line!r} undeclared"


@pytest.mark.parametrize("lesson", ["00_welcome", "01_request_response", "04_consumer_groups",
                                    "07_microservices_rest_kafka"])
def test_a_lesson_that_declares_needs_guards_its_cells(lesson: str) -> None:
    """The lessons that declare broker control and skip those sections on a managed cluster."""
    cells = _code_cells(lesson)
    assert needs.needs_of(lesson) and any(src.startswith("%%needs") for src in cells)
    assert any(re.search(rf'check\("{lesson}", *\w*cluster', src) for src in cells)


def test_an_external_cluster_is_the_mode_it_is_not_the_mode_asked_for(monkeypatch) -> None:
    """05 asks for mode="zookeeper"; pointed at a managed (KRaft) cluster it must not print
    itself as a ZooKeeper cluster. Only a cluster given with its ensemble is a ZooKeeper one."""
    from kafkalab.backends.external import ExternalBackend
    from kafkalab.backends.plan import Mode

    monkeypatch.delenv("KAFKA_ZOOKEEPER_CONNECT", raising=False)
    assert ExternalBackend("pkc-1.example:9092").mode is Mode.KRAFT
    monkeypatch.setenv("KAFKA_ZOOKEEPER_CONNECT", "zk.example:2181")
    assert ExternalBackend("b.example:9092").mode is Mode.ZOOKEEPER


def _names(src: str) -> tuple[set[str], set[str]]:
    """(names a cell assigns at any level, names it reads) of a cell's Python, magics dropped."""
    import ast

    body = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())
    stored, loaded = set(), set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If | ast.IfExp) and "needs.has(" in ast.unparse(node.test):
            return  # a branch taken only where the cluster offers the need
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, ast.Store) else loaded).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(body))
    return stored, loaded


@pytest.mark.parametrize("lesson", sorted(name for name in needs.NEEDS if needs.needs_of(name)))
def test_what_only_a_guarded_cell_makes_is_used_only_in_guarded_cells(lesson: str) -> None:
    """A result that only a ``%%needs`` cell computes (``ex2 = durability_check(...)``) does not
    exist on a cluster that skips that cell: every cell reading it is guarded too, graded test
    cells included (else the lesson fails half-way on a managed cluster with a NameError)."""
    cells = _code_cells(lesson)
    parsed = [(src.startswith("%%needs"), *_names(src)) for src in cells]
    made_unguarded = set().union(*(s for g, s, _ in parsed if not g))
    only_guarded = set().union(*(s for g, s, _ in parsed if g)) - made_unguarded
    bad = [f"{src.splitlines()[0][:60]!r} reads {sorted(loaded & only_guarded)}"
           for src, (g, _, loaded) in zip(cells, parsed, strict=True)
           if not g and loaded & only_guarded]
    assert not bad, f"{lesson}: unguarded cells read what only guarded cells make: {bad}"
