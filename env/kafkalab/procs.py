"""Child processes that never outlive their parent, on every OS: :class:`Child`.

One mechanism, whichever thread starts the child: a tiny reaper process holds the read end of
a pipe whose write end only the parent holds. When the parent exits in any way (also SIGKILL,
a Jupyter kernel restart), the pipe reaches EOF and the reaper kills every process the parent
registered with it. A child that ends normally is unregistered (its pid may be reused).

Also: :func:`spawn` (a :class:`Child`'s ``Popen``, for the backends), signals by pid
(:func:`kill`, :func:`terminate`, :func:`suspend`, :func:`resume`), :func:`rss_bytes`, the
environment every child gets (:func:`child_env`), and :func:`startup_error` for a JVM's log.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import psutil

_REAPER = r"""
import os, signal, sys
pids = set()
for line in sys.stdin:
    op, _, pid = line.strip().partition(" ")
    if op == "+": pids.add(int(pid))
    elif op == "-": pids.discard(int(pid))
for pid in pids:
    try:
        os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    except OSError:
        pass
    if hasattr(signal, "SIGCONT"):
        try: os.kill(pid, signal.SIGCONT)
        except OSError: pass
"""

_lock = threading.Lock()
_reaper: subprocess.Popen | None = None


def _reaper_pipe() -> subprocess.Popen:
    global _reaper
    with _lock:
        if _reaper is None or _reaper.poll() is not None:
            kwargs: dict = {}
            if sys.platform == "win32":
                kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
            else:
                kwargs["start_new_session"] = True  # not killed with the kernel's process group
            _reaper = subprocess.Popen([sys.executable, "-c", _REAPER], stdin=subprocess.PIPE,
                                       text=True, **kwargs)
        return _reaper


def _tell_reaper(op: str, pid: int) -> None:
    reaper = _reaper_pipe()
    with _lock:
        assert reaper.stdin is not None
        reaper.stdin.write(f"{op} {pid}\n")
        reaper.stdin.flush()


def scripts_dir() -> Path:
    """The folder of this interpreter's console scripts (a venv's ``bin``/``Scripts``): programs
    the project starts (nbgrader's ``alembic``, ``jupyter``) live there, whether or not the venv
    was activated."""
    return Path(sys.executable).parent


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``os.environ`` plus ``env``, with :func:`scripts_dir` first on PATH: the environment for
    every child process, so that it finds the programs installed beside ``sys.executable``."""
    merged = {**os.environ, **(env or {})}
    path = merged.get("PATH", "")
    first = str(scripts_dir())
    if path.split(os.pathsep)[0] != first:
        merged["PATH"] = os.pathsep.join([first, path]) if path else first
    return merged


def use_scripts_dir() -> None:
    """Put :func:`scripts_dir` first on this process's PATH, for libraries that start programs
    by name (nbgrader runs ``alembic`` from PATH)."""
    os.environ["PATH"] = child_env()["PATH"]


class Child:
    """A process started from any thread, its stderr (and stdout, unless ``stdout=False``)
    appended to ``log``, its programs found beside ``sys.executable`` (:func:`child_env`), in
    a session of its own (Ctrl-C in a terminal does not stop it half-way). It dies with this
    process unless ``detached`` (for ``up`` commands that outlive the terminal).

    ``pipes=True``: a line protocol instead (text pipes :attr:`stdin` and :attr:`stdout`; only
    stderr goes to ``log``). A detached child with pipes sees EOF on its stdin when this
    process ends, however it ends: the same signal the reaper uses, for a child that must do
    its own clean-up then (the docker backend's watchdog)."""

    def __init__(self, cmd: list[str], log: Path, cwd: Path | None = None,
                 env: dict[str, str] | None = None, *, detached: bool = False,
                 stdout: bool = True, pipes: bool = False) -> None:
        kwargs: dict = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
        self.cmd, self.log, self.detached = cmd, Path(log), detached
        with open(log, "ab") as out:
            if pipes:
                streams: dict = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE,
                                 "stderr": out, "text": True, "bufsize": 1}
            else:
                streams = {"stdout": out if stdout else subprocess.DEVNULL,
                           "stderr": subprocess.STDOUT if stdout else out,
                           "stdin": subprocess.DEVNULL}
            self.popen = subprocess.Popen(cmd, cwd=cwd, env=child_env(env), **streams, **kwargs)
        self._registered = not detached
        if self._registered:
            _tell_reaper("+", self.popen.pid)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def stdin(self) -> IO[str]:
        """The child's stdin (``pipes=True`` only)."""
        assert self.popen.stdin is not None, "started without pipes=True"
        return self.popen.stdin

    @property
    def stdout(self) -> IO[str]:
        """The child's stdout (``pipes=True`` only)."""
        assert self.popen.stdout is not None, "started without pipes=True"
        return self.popen.stdout

    def poll(self) -> int | None:
        """The exit code once it has ended, else None."""
        code = self.popen.poll()
        if code is not None:
            self._forget()
        return code

    @property
    def running(self) -> bool:
        return self.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        """Wait until it ends (``subprocess.TimeoutExpired`` after ``timeout``); its exit code."""
        code = self.popen.wait(timeout)
        self._forget()
        return code

    def kill(self, timeout: float = 10.0) -> int:
        """SIGKILL (also when it is paused) and wait for it: no clean shutdown, as in a crash."""
        kill(self.pid)
        return self.wait(timeout)

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM (a clean shutdown), then SIGKILL if it has not ended within ``timeout``."""
        terminate(self.pid)
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            return self.kill(timeout)

    def finish(self, stop_file: Path, timeout: float = 30.0) -> int:
        """Ask a child that watches ``stop_file`` to finish (its batch, a last commit, a clean
        close) by creating the file; SIGKILL it if it has not ended within ``timeout`` s.
        Returns its exit code (-9 when it had to be killed)."""
        stop_file.touch()
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def _forget(self) -> None:
        if self._registered:
            self._registered = False
            forget(self.pid)


def spawn(cmd: list[str], log: Path, cwd: Path, env: dict[str, str] | None = None,
          detached: bool = False) -> subprocess.Popen:
    """Start ``cmd`` as a :class:`Child` (stdout+stderr appended to ``log``) and return its
    ``Popen``; call :func:`forget` with its pid once it has ended normally."""
    return Child(cmd, log, cwd, env, detached=detached).popen


def forget(pid: int) -> None:
    """The process ended normally: the reaper need not kill it (its pid may be reused)."""
    if _reaper is not None and _reaper.poll() is None:
        _tell_reaper("-", pid)


def kill(pid: int) -> None:
    try:
        p = psutil.Process(pid)
        if p.status() == psutil.STATUS_STOPPED:
            p.resume()
        p.kill()
    except psutil.NoSuchProcess:
        pass


def terminate(pid: int) -> None:
    try:
        p = psutil.Process(pid)
        if p.status() == psutil.STATUS_STOPPED:
            p.resume()
        p.send_signal(signal.SIGTERM) if sys.platform != "win32" else p.terminate()
    except psutil.NoSuchProcess:
        pass


def suspend(pid: int) -> None:
    psutil.Process(pid).suspend()  # SIGSTOP on POSIX, NtSuspendProcess on Windows


def resume(pid: int) -> None:
    psutil.Process(pid).resume()


def rss_bytes(pid: int) -> int:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def startup_error(log: str) -> str | None:
    """Why a JVM stopped, from its whole log: the fatal ERROR line (else the last ERROR line),
    with the innermost ``Caused by:`` under it (Kafka's own reason, e.g. a keystore it cannot
    read)."""
    lines = log.splitlines()
    errors = [i for i, ln in enumerate(lines) if "] ERROR " in ln or "] FATAL " in ln]
    if not errors:
        return None
    fatal = [i for i in errors if re.search(r"fatal|exiting|halting", lines[i], re.I)]
    i = fatal[0] if fatal else errors[-1]
    parts = [lines[i].split("] ", 1)[-1].split(" (", 1)[0].strip()]
    if i + 1 < len(lines) and not lines[i + 1].startswith(("\t", " ", "[")):
        parts.append(lines[i + 1].strip())  # the exception and its message
    causes = [ln.strip() for ln in lines[i + 1:i + 80] if ln.startswith("Caused by:")]
    if causes:
        parts.append(causes[-1].replace("Caused by:", "caused by", 1))
    return "; ".join(parts)
