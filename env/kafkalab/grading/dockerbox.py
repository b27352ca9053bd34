"""The ``docker`` sandbox: one container per submission, for Linux machines without bwrap.

The container is made from the course's locally built image (``kafka-lab image build``; no
registry is asked), with ``--network none`` (loopback only: the submission's own Kafka cluster,
started by its kernel inside the container, is reachable, nothing else is), ``--read-only``,
every capability dropped, ``no-new-privileges``, ``--init`` (when the kernel ends, the
container's PID namespace ends and takes every process with it), and the limits of the bwrap
sandbox: ``--memory`` (swap included), ``--pids-limit``; the wall time is the runner's.

Mounts: only what the kernel runs on, read-only (the system folders ``/usr``, ``/bin``,
``/lib*``, ``/etc``; this interpreter's environment and base, the kafkalab package, the Java
runtime, the jar cache; what lies under ``/tmp``, as a clone in ``/tmp/x`` does, as its whole
top folder, as the bwrap sandbox does), a fresh ``/tmp``, and the submission's scratch folder,
the only writable one, at the same path as on the host (the kernel's ZeroMQ sockets are Unix
sockets in it, so the grader talks to the kernel without any network). The grading folder
(gradebook, ``source/``, other students' folders), the course's ``solutions/`` and the
submissions folder are not mounted at all (and covered by an empty tmpfs if one of them lies
under a mounted folder). The host's binaries run in the container, so this sandbox is for a
Linux engine on the grading machine itself (Docker Desktop on macOS/Windows runs a Linux VM that
cannot run them).

Containers carry the docker backend's session and owner labels, so the per-process watchdog
(:func:`kafkalab.backends.docker.engine.ensure_watchdog`) removes them if the grader dies
however it dies; :func:`remove` and :func:`sweep` remove them on the normal and the killed path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..backends.docker.engine import LABEL, LABEL_OWNER, SESSION, owner

PREFIX = "klsb-"  # container names: klsb-<worker pid>-<student>
LABEL_GRADING = "org.kafka-lab.grading"
# (not /sbin: docker mounts its init there)
SYSTEM = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
# the grader's environment, minus what would point the kernel at something outside
DROP_ENV = ("KAFKA_BOOTSTRAP_SERVERS", "JPY_PARENT_PID", "DOCKER_HOST", "DOCKER_CONFIG",
            "DOCKER_CERT_PATH", "SSH_AUTH_SOCK", "DBUS_SESSION_BUS_ADDRESS", "PWD", "OLDPWD",
            "HOME", "TMPDIR", "KAFKA_LAB_CACHE", "KAFKA_LAB_FRESH")


def docker_path() -> str | None:
    """The docker command line client (a system program, not one of the venv's scripts)."""
    for candidate in (shutil.which("docker"), "/usr/bin/docker", "/usr/local/bin/docker"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def image_tag() -> str:
    from ..image import LOCAL_TAG

    return os.environ.get("KAFKA_LAB_GRADING_IMAGE", LOCAL_TAG)


def docker_works() -> str | None:
    """None when a Docker engine answers and the course image is built, else why not."""
    if not sys.platform.startswith("linux"):
        return (f"the docker sandbox runs this machine's Python and Java in the container, "
                f"which needs a Linux engine on a Linux host (this is {sys.platform})")
    exe = docker_path()
    if exe is None:
        return "no docker command (Debian/Ubuntu: apt-get install docker.io)"
    try:
        proc = subprocess.run([exe, "image", "inspect", "-f", "{{.Id}}", image_tag()],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker does not answer: {exc}"
    if proc.returncode != 0:
        err = proc.stderr.strip()
        if "No such image" in err or "No such object" in err:
            return f"the course image {image_tag()} is not built (run: kafka-lab image build)"
        return f"docker does not answer: {err[-300:]}"
    return None


def name_of(sandbox_name: str) -> str:
    return PREFIX + "".join(c if c.isalnum() or c in "_.-" else "_" for c in sandbox_name)[:60]


def _mounts(scratch: Path, runtime: list[Path], hidden: list[Path]) -> list[str]:
    argv: list[str] = []
    bound: list[Path] = []
    for top in SYSTEM:
        path = Path(top)
        if path.is_dir():  # a merged-/usr symlink (/lib -> usr/lib): its target, as here
            argv += ["--mount", f"type=bind,source={path.resolve()},target={top},readonly"]
            bound.append(path.resolve())
    # What lies under the fresh /tmp (e.g. a clone in /tmp/x) is bound as its whole top folder,
    # read-only: the folders docker would create around the runtime in the writable /tmp would
    # otherwise look like the host's (as the bwrap sandbox does); hidden folders are covered next.
    tmp = Path("/tmp").resolve()
    for path in [_top_under(p, tmp) for p in runtime]:
        if any(_under(path, b) for b in bound):
            continue
        argv += ["--mount", f"type=bind,source={path},target={path},readonly"]
        bound.append(path)
    for path in hidden:  # only where a mounted folder would show it
        if path.is_dir() and any(_under(path, b) for b in bound) and not _under(scratch, path):
            argv += ["--mount", f"type=tmpfs,target={path},tmpfs-size=4k,readonly"]
    argv += ["--mount", "type=tmpfs,target=/tmp,tmpfs-mode=1777",
             "--mount", f"type=bind,source={scratch},target={scratch}"]
    return argv


def docker_argv(name: str, scratch: Path, runtime: list[Path], hidden: list[Path],
                memory: int, tasks: int, cache: Path | None, cmd: list[str]) -> list[str]:
    """The ``docker run`` command line that runs ``cmd`` (the kernel) in the sandbox."""
    exe = docker_path() or "docker"
    argv = [exe, "run", "--rm=false", "--name", name, "--init", "--network", "none",
            "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--ipc", "private", "--hostname", "submission",
            "--memory", str(memory), "--memory-swap", str(memory),
            "--pids-limit", str(tasks), "--log-driver", "none",
            "--label", f"{LABEL}={SESSION}", "--label", f"{LABEL_OWNER}={owner()}",
            "--label", f"{LABEL_GRADING}={os.getpid()}",
            "--workdir", str(scratch), *_mounts(scratch, runtime, hidden)]
    for key in sorted(os.environ):  # passed by name: values stay off the command line
        if key not in DROP_ENV and key.isidentifier():
            argv += ["--env", key]
    argv += ["--env", f"HOME={scratch}", "--env", f"TMPDIR={scratch}",
             "--env", "KAFKA_LAB_FRESH=1"]
    if cache is not None:
        argv += ["--env", f"KAFKA_LAB_CACHE={cache}"]
    return [*argv, image_tag(), *cmd]


def oom_killed(name: str) -> bool:
    exe = docker_path() or "docker"
    proc = subprocess.run([exe, "inspect", "-f", "{{.State.OOMKilled}}", name],
                          capture_output=True, text=True, timeout=60)
    return proc.stdout.strip() == "true"


def container_pid(name: str) -> int | None:
    """The host pid of the container's first process (its namespaces are the container's)."""
    proc = subprocess.run([docker_path() or "docker", "inspect", "-f", "{{.State.Pid}}", name],
                          capture_output=True, text=True, timeout=60)
    try:
        pid = int(proc.stdout.strip())
    except ValueError:
        return None
    return pid or None


def remove(*names: str) -> None:
    """Remove containers (killing what runs in them); quiet when they are gone already."""
    if names:
        subprocess.run([docker_path() or "docker", "rm", "-f", "-v", *names],
                       capture_output=True, timeout=120)


def sweep(prefix: str) -> None:
    """Remove the grading containers whose name starts with ``PREFIX + prefix``."""
    exe = docker_path()
    if exe is None:
        return
    try:
        proc = subprocess.run([exe, "ps", "-a", "--filter", f"label={LABEL_GRADING}",
                               "--format", "{{.Names}}"], capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return
    remove(*(n for n in proc.stdout.split() if n.startswith(PREFIX + prefix)))


def _top_under(path: Path, root: Path) -> Path:
    """``path``'s top folder below ``root`` (``/tmp/x`` for ``/tmp/x/.venv``) if it lies
    below ``root``, else ``path`` itself."""
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        return path
    return root / rel.parts[0] if rel.parts else path


def _under(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False
