"""The grading sandboxes' policy, without starting one: which sandbox ``auto`` picks, and what the
docker sandbox's command line mounts, hides and limits."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from kafkalab.exceptions import KafkaLabError
from kafkalab.grading import dockerbox, sandbox
from kafkalab.grading.sandbox import SandboxKind


@pytest.mark.parametrize(("bwrap", "docker", "picked"), [
    (None, None, SandboxKind.BWRAP),
    ("no bwrap", None, SandboxKind.DOCKER),
    ("no bwrap", "no engine", SandboxKind.NONE),
])
def test_auto_prefers_bwrap_then_docker(monkeypatch: pytest.MonkeyPatch, bwrap: str | None,
                                        docker: str | None, picked: SandboxKind) -> None:
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: bwrap)
    monkeypatch.setattr(sandbox, "docker_works", lambda: docker)
    kind, why = sandbox.choose("auto")
    assert kind is picked
    assert why.startswith(picked.value)
    if picked is SandboxKind.NONE:
        assert "no bwrap" in why and "no engine" in why  # says why neither was picked


def test_docker_asked_for_but_unavailable_says_how_to_fix(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "docker_works", lambda: "the course image is not built")
    with pytest.raises(KafkaLabError, match="kafka-lab image build"):
        sandbox.choose("docker")


def test_docker_off_linux_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert "Linux" in (dockerbox.docker_works() or "")


def _mounts(argv: list[str]) -> list[dict[str, str]]:
    found = []
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag == "--mount":
            found.append(dict(kv.split("=", 1) if "=" in kv else (kv, "") for kv in
                              value.split(",")))
    return found


@pytest.mark.parametrize("under_tmp", [True, False], ids=["clone-in-tmp", "clone-elsewhere"])
def test_docker_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             request: pytest.FixtureRequest, under_tmp: bool) -> None:
    if not under_tmp:  # a folder outside the container's fresh /tmp
        base = Path("/var/tmp") if Path("/var/tmp").is_dir() else None
        if base is None:
            pytest.skip("no /var/tmp")
        tmp_path = Path(tempfile.mkdtemp(dir=base))
        request.addfinalizer(lambda: shutil.rmtree(tmp_path, ignore_errors=True))
    monkeypatch.setenv("HOSTILE_SECRET_VALUE", "s3cret")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "shared:9092")
    scratch = tmp_path / "klsb-1-ann"
    scratch.mkdir()
    runtime = tmp_path / "venv"
    (runtime / "out").mkdir(parents=True)  # a hidden folder under a mounted one
    other = tmp_path / "gradebook-folder"  # a hidden folder under nothing mounted
    other.mkdir()
    argv = dockerbox.docker_argv("klsb-1-ann", scratch, [runtime], [runtime / "out", other],
                                 2 * 1024**3, 1024, None, ["python", "-m", "ipykernel"])
    line = " ".join(argv)
    for flag in ("--network none", "--read-only", "--cap-drop ALL", "--init",
                 f"--memory {2 * 1024**3}", f"--memory-swap {2 * 1024**3}",
                 "--pids-limit 1024", "--security-opt no-new-privileges"):
        assert flag in line, flag
    assert argv[-3:] == ["python", "-m", "ipykernel"]
    mounts = _mounts(argv)
    writable = [m["target"] for m in mounts if m["type"] == "bind" and "readonly" not in m]
    assert writable == [str(scratch)], "the scratch folder is the only writable bind"
    tmpfs = [m["target"] for m in mounts if m["type"] == "tmpfs"]
    assert str(runtime / "out") in tmpfs  # covered where a mount would show it
    assert all("readonly" in m for m in mounts if m["type"] == "tmpfs"
               and m["target"] != "/tmp"), "a cover must not take a write either"
    tmp = Path("/tmp").resolve()
    if tmp in runtime.resolve().parents:
        # under the fresh /tmp: the runtime's whole top folder, read-only (the folders docker
        # would create around it in the writable /tmp would look like the host's, writable)
        top = tmp / runtime.resolve().relative_to(tmp).parts[0]
        assert {"type": "bind", "source": str(top), "target": str(top), "readonly": ""} \
            in mounts
        assert not any(m["target"] == str(runtime) for m in mounts)
        assert str(other) in tmpfs  # now under a mounted folder: covered
    else:
        assert {"type": "bind", "source": str(runtime), "target": str(runtime),
                "readonly": ""} in mounts
        assert not any(str(other) in m.get("source", "") + m["target"] for m in mounts)
    # the environment is passed by name (values stay off the command line), minus the shared
    # cluster's address
    assert "s3cret" not in line and "HOSTILE_SECRET_VALUE" in line
    assert "KAFKA_BOOTSTRAP_SERVERS" not in line
    assert f"HOME={scratch}" in line and "KAFKA_LAB_FRESH=1" in line


@pytest.mark.parametrize(("files", "found"), [
    ({}, None),
    ({"memory.failcnt": "0\n"}, None),
    ({"memory.failcnt": "12\n"}, sandbox.MemoryLimit.REACHED),  # v1: reclaimed at the limit
    ({"memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
      "memory.failcnt": "40\n"}, sandbox.MemoryLimit.KILLED),
    ({"memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"}, None),
    ({"memory.events": "low 0\nhigh 0\nmax 7\noom 0\noom_kill 0\n"},
     sandbox.MemoryLimit.REACHED),  # v2: stuck reclaiming at memory.max, nothing killed yet
    ({"memory.events": "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n"}, sandbox.MemoryLimit.KILLED),
])
def test_memory_limit_is_read_from_either_cgroup_version(
        tmp_path: Path, files: dict[str, str], found: sandbox.MemoryLimit | None) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert sandbox.Cgroup([tmp_path]).memory_limit() is found


def test_a_reached_limit_is_remembered_and_named_in_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission stuck at its limit is noted while its sandbox runs (when its cell times
    out); the counters are gone once the sandbox ends, and the note must stay."""
    (tmp_path / "memory.failcnt").write_text("3\n")
    spec = sandbox.SandboxSpec(SandboxKind.BWRAP, tmp_path, memory=2 * 1024**3,
                               cgroup=sandbox.Cgroup([tmp_path]))
    assert spec.check_memory() is sandbox.MemoryLimit.REACHED
    (tmp_path / "memory.failcnt").unlink()
    assert spec.memory_note() == "the submission reached its memory limit (2 GiB)"
    (tmp_path / "memory.oom_control").write_text("oom_kill 1\n")
    assert spec.memory_note() == \
        "the submission reached its memory limit (2 GiB) and was killed there"
    assert sandbox.SandboxSpec(SandboxKind.NONE, tmp_path).memory_note() is None


@pytest.mark.skipif(not Path("/proc/self/cgroup").is_file(), reason="Linux cgroups only")
def test_the_memory_cgroup_of_a_running_process_is_found() -> None:
    import os

    group = sandbox.Cgroup.of_process(os.getpid())
    if group is None:
        pytest.skip("no memory cgroup readable here")
    assert group.dirs[0].is_dir()
    assert any((group.dirs[0] / n).is_file() for n in ("memory.failcnt", "memory.events"))
    assert sandbox.Cgroup.of_process(2**22 + 1) is None  # no such process
