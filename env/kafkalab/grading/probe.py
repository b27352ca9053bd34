"""The grader's probe: runs :class:`kafkalab.grading.verdicts.ClusterCheck`s against a
submission's cluster, from the grader's side.

    python -m kafkalab.grading.probe      # stdin: one {"assignment", "grade_id", "facts"} a line
                                          # stdout: one {"ok": bool, "message": str} a line

A :class:`Probe` starts it in the submission's network namespace only (``nsenter --net``; for
bwrap also its user namespace, which the grader's user owns): it shares the sandbox's loopback,
so it reaches the submission's brokers, but not its PID or mount namespace, so the submission's
code cannot see, signal or trace it. With ``--sandbox none`` it simply runs on the host. One
probe process serves all of a submission's checks (its interpreter and imports are paid once);
the grader ends it with the submission.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import subprocess
import sys
import threading
from typing import Any

from .. import procs
from .verdicts import check_for

PROBE_TIMEOUT = 60


def nsenter_prefix(pid: int) -> list[str]:
    """The command prefix that joins ``pid``'s network namespace (and user namespace when this
    process is not root: the sandbox's user namespace is owned by the grader's user)."""
    exe = "/usr/bin/nsenter" if os.access("/usr/bin/nsenter", os.X_OK) else "nsenter"
    if os.geteuid() == 0:
        return [exe, f"--target={pid}", "--net"]
    return [exe, f"--target={pid}", "--user", "--preserve-credentials", "--net"]


class Probe:
    """The probe process of one submission's checks, started at the first check, in the
    namespace of ``net_pid`` (None: on the host). For a docker sandbox (``container``) a grader
    that is not root cannot join the container's network namespace: the probe then runs in the
    container (``docker exec``), where the submission's processes could see it (documented)."""

    def __init__(self, net_pid: int | None, container: str = "") -> None:
        cmd = [sys.executable, "-m", "kafkalab.grading.probe"]
        if container and os.geteuid() != 0:
            from .dockerbox import docker_path

            cmd = [docker_path() or "docker", "exec", "-i", container, *cmd]
        elif net_pid is not None:
            cmd = nsenter_prefix(net_pid) + cmd
        self.cmd, self.net_pid, self.container = cmd, net_pid, container
        self.proc: subprocess.Popen | None = None
        self.answers: queue.Queue[str | None] = queue.Queue()
        self.errors: collections.deque[str] = collections.deque(maxlen=20)

    def _start(self) -> subprocess.Popen:
        env = {k: v for k, v in procs.child_env().items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, bufsize=1, env=env)
        answers, errors = queue.Queue(), self.errors
        self.answers = answers

        def pump_out() -> None:
            for line in proc.stdout:
                answers.put(line)
            answers.put(None)

        def pump_err() -> None:
            for line in proc.stderr:
                errors.append(line.rstrip())

        threading.Thread(target=pump_out, daemon=True).start()
        threading.Thread(target=pump_err, daemon=True).start()
        return proc

    def ask(self, assignment: str, grade_id: str, facts: dict) -> tuple[bool, str]:
        """(passed, what was wrong) of one check."""
        try:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = self._start()
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps({"assignment": assignment, "grade_id": grade_id,
                                              "facts": facts}) + "\n")
            self.proc.stdin.flush()
        except OSError as exc:
            self.close()
            return False, f"the grader could not run its check of the cluster: {exc}"
        try:
            line = self.answers.get(timeout=PROBE_TIMEOUT)
        except queue.Empty:
            self.close()
            return False, f"the grader's check of the cluster took longer than {PROBE_TIMEOUT} s"
        try:
            said = json.loads(line or "")
            return bool(said["ok"]), str(said["message"])
        except (ValueError, KeyError, TypeError):
            self.close()
            return False, ("the grader's check of the cluster failed: "
                           + (list(self.errors)[-1:] or ["no output"])[0][:300])

    def close(self) -> None:
        """End the probe process (EOF on its stdin; SIGKILL if it does not end)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def answer(task: dict[str, Any]) -> dict[str, Any]:
    """One check's verdict, for one task."""
    check = check_for(task["assignment"], task["grade_id"])
    if check is None:
        return {"ok": False, "message": "no such check"}
    try:
        wrong = check.run(task["facts"])
    except Exception as exc:  # the facts the kernel gave may be anything
        wrong = f"{type(exc).__name__}: {str(exc)[:200]}"
    return {"ok": wrong is None, "message": wrong or ""}


def main() -> int:
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
