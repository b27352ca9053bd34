"""The grader's probe process: one per submission, answering one check a line (no Kafka here:
a check that does not exist, and a check whose facts are wrong, are answered without one)."""

from __future__ import annotations

import pytest

from kafkalab.grading import probe

pytestmark = pytest.mark.unit


def test_one_probe_process_answers_every_check_of_a_submission_then_ends() -> None:
    p = probe.Probe(net_pid=None)
    try:
        assert p.ask("00_welcome", "no_such_check", {}) == (False, "no such check")
        first = p.proc
        assert first is not None and first.poll() is None
        # facts the kernel could not give are the check's failure, not the probe's
        ok, message = p.ask("00_welcome", "ex1_messages", {"config": {}})
        assert not ok and message.startswith("KeyError"), message
        assert p.proc is first  # the same process, its imports paid once
    finally:
        p.close()
    assert first.poll() is not None and p.proc is None
    # after close, the next check starts a new process
    try:
        assert p.ask("00_welcome", "no_such_check", {})[1] == "no such check"
        assert p.proc is not first
    finally:
        p.close()


def test_a_probe_that_cannot_start_says_so() -> None:
    p = probe.Probe(net_pid=None)
    p.cmd = ["/nonexistent/probe"]
    ok, message = p.ask("00_welcome", "ex1_messages", {})
    assert not ok and "could not run its check" in message
