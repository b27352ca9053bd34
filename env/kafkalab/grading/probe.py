"""The grader's probe: runs one :class:`kafkalab.grading.verdicts.ClusterCheck` against a
submission's cluster, from the grader's side.

    python -m kafkalab.grading.probe      # stdin: {"assignment", "grade_id", "facts"}
                                          # stdout: {"ok": bool, "message": str}

:func:`run` starts it in the submission's network namespace only (``nsenter --net``; for
bwrap also its user namespace, which the grader's user owns): it shares the sandbox's loopback,
so it reaches the submission's brokers, but not its PID or mount namespace, so the submission's
code cannot see, signal or trace it. With ``--sandbox none`` it simply runs on the host.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

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


def run(assignment: str, grade_id: str, facts: dict, net_pid: int | None,
        container: str = "") -> tuple[bool, str]:
    """(passed, what was wrong) of the check, run by a probe process in the namespace of
    ``net_pid`` (None: on the host). For a docker sandbox (``container``) a grader that is not
    root cannot join the container's network namespace: the probe then runs in the container
    (``docker exec``), where the submission's processes could see it (documented)."""
    cmd = [sys.executable, "-m", "kafkalab.grading.probe"]
    if container and os.geteuid() != 0:
        from .dockerbox import docker_path

        cmd = [docker_path() or "docker", "exec", "-i", container, *cmd]
    elif net_pid is not None:
        cmd = nsenter_prefix(net_pid) + cmd
    env = {k: v for k, v in procs.child_env().items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    try:
        proc = subprocess.run(cmd, input=json.dumps({"assignment": assignment,
                                                     "grade_id": grade_id, "facts": facts}),
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return False, f"the grader's check of the cluster took longer than {PROBE_TIMEOUT} s"
    except OSError as exc:
        return False, f"the grader could not run its check of the cluster: {exc}"
    try:
        said = json.loads(proc.stdout.strip().splitlines()[-1])
        return bool(said["ok"]), str(said["message"])
    except (IndexError, ValueError, KeyError, TypeError):
        return False, ("the grader's check of the cluster failed: "
                       + (proc.stderr.strip().splitlines() or ["no output"])[-1][:300])


def main() -> int:
    task = json.loads(sys.stdin.read())
    check = check_for(task["assignment"], task["grade_id"])
    if check is None:
        print(json.dumps({"ok": False, "message": "no such check"}))
        return 0
    try:
        wrong = check.run(task["facts"])
    except Exception as exc:  # the facts the kernel gave may be anything
        wrong = f"{type(exc).__name__}: {str(exc)[:200]}"
    print(json.dumps({"ok": wrong is None, "message": wrong or ""}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
