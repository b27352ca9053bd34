"""Where a submission's kernel (and the Kafka cluster it starts) runs: the sandbox policy.

``bwrap`` (Linux): new user, PID, mount, IPC, UTS and network namespaces (loopback only, brought
up by bwrap), the whole filesystem read-only, ``/tmp``, ``/run`` fresh and empty, the grading
folder (OUT: gradebook, source, other submissions), the course's ``solutions/`` and the folder of
submissions hidden under empty tmpfs, and one writable scratch folder per submission. The
kernel's ZeroMQ sockets are Unix sockets in that scratch folder (transport ``ipc``), so the
grader, outside every namespace, talks to the kernel without any network between them. Memory
and task limits come from a cgroup made for the submission (v1 or v2, when this process may
create one); when the submission ends, the cgroup's processes are killed and bwrap's init (PID 1
of the submission's namespace) dies with its parent, which takes every process with it.

``none`` runs the kernel as the grader's own user with nothing hidden (today's behaviour).
"""

from __future__ import annotations

import enum
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import KafkaLabError
from . import dockerbox
from .dockerbox import docker_works, image_tag

DEFAULT_MEMORY = 2 * 1024**3
DEFAULT_TASKS = 1024  # threads count as tasks: a Kafka broker's JVM has about 100


# bwrap's --unshare-all less --unshare-cgroup. A cgroup namespace made after the sandbox joined its
# cgroup v1 hierarchy shows the process at "/" of cgroup mounts whose root lies outside it; JDK 17
# then cannot find its memory controller's folder and logs a NullPointerException whenever a JVM
# first asks for its OperatingSystemMXBean (every Kafka client and tool does, through JMX),
# on stdout, where a tool's output is parsed. The submission's cgroup stays read-only inside (the
# whole of / is), so it cannot leave its limits.
NAMESPACES = ("--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts")


class SandboxKind(enum.Enum):
    BWRAP = "bwrap"
    DOCKER = "docker"
    NONE = "none"


def bwrap_path() -> str | None:
    """bubblewrap is a system program (apt's ``bubblewrap``), not one of the venv's scripts."""
    for candidate in (shutil.which("bwrap"), "/usr/bin/bwrap", "/usr/local/bin/bwrap"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def bwrap_works() -> str | None:
    """None when bwrap can make the namespaces we need here, else why not."""
    if not sys.platform.startswith("linux"):
        return "bwrap needs Linux namespaces"
    exe = bwrap_path()
    if exe is None:
        return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    proc = subprocess.run([exe, *NAMESPACES, "--die-with-parent",
                           "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        return f"bwrap cannot create namespaces here: {proc.stderr.strip()[-300:]}"
    return None


def choose(requested: str) -> tuple[SandboxKind, str]:
    """The sandbox to use for ``--sandbox requested`` and a sentence saying why."""
    if requested == "none":
        return SandboxKind.NONE, "no sandbox (--sandbox none)"
    if requested == "bwrap":
        why = bwrap_works()
        if why:
            raise KafkaLabError(f"--sandbox bwrap: {why}. Fix: install bubblewrap (as root: "
                                "apt-get install -y bubblewrap), or pick --sandbox auto.")
        return SandboxKind.BWRAP, "bwrap (asked for)"
    if requested == "docker":
        why = docker_works()
        if why:
            raise KafkaLabError(f"--sandbox docker: {why}. Fix: start a Docker engine and run "
                                "kafka-lab image build, or pick --sandbox auto.")
        return SandboxKind.DOCKER, f"docker (asked for; image {image_tag()})"
    if requested != "auto":
        raise KafkaLabError(f"Unknown sandbox {requested!r}. Fix: use auto, bwrap, docker "
                            "or none.")
    why = bwrap_works()
    if why is None:
        return SandboxKind.BWRAP, "bwrap (auto: bubblewrap works here)"
    why_not_docker = docker_works()
    if why_not_docker is None:
        return SandboxKind.DOCKER, f"docker (auto: {why}; a Docker engine answers, image " \
                                   f"{image_tag()})"
    return SandboxKind.NONE, (f"none (auto on {platform.system()}: {why}; {why_not_docker})")


def limits_available() -> bool:
    """Whether a per-submission cgroup (memory and task limits) can be made here."""
    probe = Cgroup.create(f"probe-{os.getpid()}", DEFAULT_MEMORY, DEFAULT_TASKS)
    if probe is None:
        return False
    probe.remove()
    return True


class MemoryLimit(enum.Enum):
    """What a submission's memory limit did: it was reached, or a process was killed at it."""

    REACHED = "reached"
    KILLED = "killed"


class Cgroup:
    """A memory and task limit for one submission: a cgroup v1 (memory, pids hierarchies) or
    v2 child, created by this process. ``join_cmd`` puts the sandbox's first process in it."""

    def __init__(self, dirs: list[Path]) -> None:
        self.dirs = dirs

    @classmethod
    def create(cls, name: str, memory: int, tasks: int) -> Cgroup | None:
        """None when no writable cgroup hierarchy with those controllers exists here."""
        base = Path("/sys/fs/cgroup")
        v1 = [base / "memory", base / "pids"]
        made: list[Path] = []
        try:
            if all((d / "cgroup.procs").is_file() for d in v1):
                for d in v1:
                    child = d / "kafka-lab" / name
                    child.mkdir(parents=True, exist_ok=True)
                    made.append(child)
                (made[0] / "memory.limit_in_bytes").write_text(str(memory))
                swap = made[0] / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(memory))
                (made[1] / "pids.max").write_text(str(tasks))
                return cls(made)
            if (base / "cgroup.controllers").is_file():
                own = Path(open("/proc/self/cgroup").read().strip().split("::", 1)[1])
                parent = base / str(own).lstrip("/") / ".." / "kafka-lab"
                parent = parent.resolve()
                parent.mkdir(exist_ok=True)
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
                child = parent / name
                child.mkdir(exist_ok=True)
                made.append(child)
                (child / "memory.max").write_text(str(memory))
                (child / "memory.swap.max").write_text("0")
                (child / "pids.max").write_text(str(tasks))
                return cls(made)
        except OSError:
            cls(made).remove()
        return None

    def join_cmd(self, cmd: list[str]) -> list[str]:
        """``cmd`` run by a shell that first moves itself into the cgroup (exec keeps the pid)."""
        writes = "".join(f'echo $$ > "{d / "cgroup.procs"}" && ' for d in self.dirs)
        return ["/bin/sh", "-c", writes + 'exec "$@"', "sh", *cmd]

    def pids(self) -> list[int]:
        found: set[int] = set()
        for d in self.dirs:
            try:
                found.update(int(p) for p in (d / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(found)

    def kill_all(self, wait: float = 10.0) -> None:
        deadline = time.monotonic() + wait
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)

    def peak_memory(self) -> int | None:
        for d in self.dirs:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                try:
                    return int((d / name).read_text())
                except (OSError, ValueError):
                    continue
        return None

    @classmethod
    def of_process(cls, pid: int) -> Cgroup | None:
        """The memory cgroup ``pid`` runs in (e.g. a docker container's), to read its
        counters; None when it cannot be found or read here."""
        base = Path("/sys/fs/cgroup")
        try:
            lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):  # v1
                found = base / "memory" / path.lstrip("/")
            elif controllers == "" and (base / "cgroup.controllers").is_file():  # v2
                found = base / path.lstrip("/")
            else:
                continue
            if found.is_dir():
                return cls([found])
        return None

    def memory_limit(self) -> MemoryLimit | None:
        """Whether the cgroup's memory use reached its limit (``REACHED``: the kernel had to
        reclaim or refuse, v1 ``memory.failcnt``, v2 ``memory.events`` max) and whether the
        kernel killed a process there (``KILLED``); None when neither or unreadable."""
        reached = False
        for d in self.dirs:
            for name in ("memory.oom_control", "memory.events"):
                try:
                    for line in (d / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and int(value) > 0:
                            return MemoryLimit.KILLED
                        reached |= key == "max" and int(value) > 0
                except (OSError, ValueError):
                    continue
            try:
                reached |= int((d / "memory.failcnt").read_text()) > 0
            except (OSError, ValueError):
                pass
        return MemoryLimit.REACHED if reached else None

    def remove(self) -> None:
        self.kill_all()
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


@dataclass
class SandboxSpec:
    """One submission's sandbox: made by the grader, used by the kernel manager."""

    kind: SandboxKind
    scratch: Path  # the only writable folder; holds the kernel's sockets (short path)
    hidden: list[Path] = field(default_factory=list)  # not mounted at all (empty tmpfs)
    cache: Path | None = None  # Kafka jars (read-only inside)
    memory: int = DEFAULT_MEMORY
    tasks: int = DEFAULT_TASKS
    cgroup: Cgroup | None = None
    name: str = ""  # the docker sandbox's container
    memory_hit: MemoryLimit | None = None  # what check_memory found so far

    @classmethod
    def make(cls, kind: SandboxKind, name: str, hidden: list[Path], memory: int = DEFAULT_MEMORY,
             tasks: int = DEFAULT_TASKS) -> SandboxSpec:
        from ..jars import cache_dir

        # short: the kernel's Unix socket paths must stay under 107 bytes
        scratch = Path(tempfile.mkdtemp(prefix=f"klsb-{name[:40]}-",
                                        dir="/tmp" if os.name == "posix" else None))
        cgroup = Cgroup.create(name, memory, tasks) \
            if kind is SandboxKind.BWRAP else None
        return cls(kind, scratch, [p.resolve() for p in hidden], cache_dir(), memory, tasks,
                   cgroup, dockerbox.name_of(name) if kind is SandboxKind.DOCKER else "")

    def wrap(self, cmd: list[str]) -> list[str]:
        """The kernel command run inside the sandbox (unchanged for ``none``)."""
        if self.kind is SandboxKind.DOCKER:
            return dockerbox.docker_argv(self.name, self.scratch, _runtime_paths(self.cache),
                                         self.hidden, self.memory, self.tasks, self.cache, cmd)
        if self.kind is not SandboxKind.BWRAP:
            return cmd
        exe = bwrap_path() or "bwrap"
        # every namespace but the cgroup one (see NAMESPACES)
        argv = [exe, *NAMESPACES, "--uid", "65534", "--gid", "65534",
                "--die-with-parent", "--new-session", "--hostname", "submission",
                "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                "--tmpfs", "/tmp", "--tmpfs", "/run", "--tmpfs", "/dev/shm"]
        fresh = [Path("/tmp"), Path("/run"), Path("/dev/shm")]
        if Path("/var/run").is_dir() and not Path("/var/run").is_symlink():
            argv += ["--tmpfs", "/var/run"]
            fresh.append(Path("/var/run"))
        # What the kernel runs on, read-only again where a fresh folder covered it: the whole
        # top folder (e.g. a clone in /tmp/x), as / is everywhere else; the hidden folders
        # below are covered again next.
        tops: list[Path] = []
        for path in _runtime_paths(self.cache):
            for root in fresh:
                if _under(path, root) and path != root:
                    top = root / path.resolve().relative_to(root.resolve()).parts[0]
                    if top not in tops:
                        tops.append(top)
        for top in tops:
            argv += ["--ro-bind", str(top), str(top)]
        hidden = [p for p in self.hidden if p.is_dir()]
        for path in hidden:  # a folder inside another hidden one is hidden with it
            if not _under(self.scratch, path) and \
                    not any(p != path and _under(path, p) for p in hidden):
                argv += ["--tmpfs", str(path), "--remount-ro", str(path)]
        argv += ["--bind", str(self.scratch), str(self.scratch), "--chdir", str(self.scratch),
                 "--setenv", "HOME", str(self.scratch), "--setenv", "TMPDIR", str(self.scratch),
                 "--setenv", "KAFKA_LAB_FRESH", "1", "--unsetenv", "KAFKA_BOOTSTRAP_SERVERS",
                 # ipykernel's parent poller would take bwrap's init (pid 1) for an orphaned
                 # kernel; --die-with-parent does that job here
                 "--unsetenv", "JPY_PARENT_PID"]
        if self.cache is not None:
            argv += ["--setenv", "KAFKA_LAB_CACHE", str(self.cache)]
        argv += ["--", *cmd]
        return self.cgroup.join_cmd(argv) if self.cgroup else argv

    def check_memory(self) -> MemoryLimit | None:
        """Whether the submission has reached its memory limit so far (remembered: call it
        while the sandbox still runs, e.g. when a cell times out, and again at the end)."""
        found: MemoryLimit | None = None
        if self.kind is SandboxKind.DOCKER:
            if dockerbox.oom_killed(self.name):
                found = MemoryLimit.KILLED
            elif (pid := dockerbox.container_pid(self.name)) and \
                    (cgroup := Cgroup.of_process(pid)) is not None:
                found = cgroup.memory_limit()
        elif self.cgroup is not None:
            found = self.cgroup.memory_limit()
        if found is MemoryLimit.KILLED or self.memory_hit is None:
            self.memory_hit = found or self.memory_hit
        return self.memory_hit

    def memory_note(self) -> str | None:
        """A line for the grade's reason when the submission reached its memory limit."""
        hit = self.check_memory()
        if hit is None:
            return None
        return (f"the submission reached its memory limit ({self.memory / 1024**3:g} GiB)"
                + (" and was killed there" if hit is MemoryLimit.KILLED else ""))

    def close(self) -> None:
        """Kill whatever is left of the submission and remove its scratch folder."""
        if self.cgroup is not None:
            self.cgroup.remove()
        if self.name:
            dockerbox.remove(self.name)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _runtime_paths(cache: Path | None) -> list[Path]:
    """The folders a kernel needs to run: this interpreter's environment and base, the
    kafkalab package, the Java runtime and the jar cache (a fresh clone may live under /tmp,
    which the sandbox replaces with an empty folder)."""
    import kafkalab

    from ..java import find_java

    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(kafkalab.__file__).parents[1]]
    try:
        paths.append(find_java().resolve().parents[1])
    except Exception:  # no Java: the kernel's own start_cluster says so
        pass
    if cache is not None:
        paths.append(cache)
    found: list[Path] = []
    for path in (p.resolve() for p in paths):
        if path.is_dir() and path not in found:
            found.append(path)
    return found


def _under(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent)
        return True
    except ValueError:
        return False


def sweep(prefix: str) -> None:
    """Remove what is left of sandboxes whose name starts with ``prefix`` (a killed worker's):
    their cgroups and containers (killing the processes in them) and scratch folders."""
    dockerbox.sweep(prefix)
    for base in (Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup/pids"),
                 Path("/sys/fs/cgroup")):
        parent = base / "kafka-lab"
        if parent.is_dir():
            for child in parent.glob(f"{prefix}*"):
                Cgroup([child]).remove()
    for scratch in Path(tempfile.gettempdir()).glob(f"klsb-{prefix}*"):
        shutil.rmtree(scratch, ignore_errors=True)
