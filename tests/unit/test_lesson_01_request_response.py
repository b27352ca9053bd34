"""Lesson 01 support without Kafka: schedules, autoscaler decisions, records, and the real
HTTP service on 127.0.0.1 (a child process) under small, bounded loads."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from kafkalab.lessons import request_response as rr


def test_ramp_integrates_the_rate_and_is_bounded() -> None:
    times = rr.ramp(10, 30, ramp_s=4, hold_s=1)
    assert times == sorted(times) and times[0] == 0 and times[-1] < 5
    assert 80 * 0.9 < len(times) < 110 * 1.1  # 4 s averaging 20 req/s + 1 s at 30 req/s
    assert len(rr.ramp(1000, 1000, 10, max_requests=50)) == 50
    steady = rr.ramp(5, 5, 2)
    assert len(steady) == 10


@pytest.mark.parametrize("mode, metrics, expected", [
    ("hpa", {"pods": 1, "cpu": 1, "busy": 1, "queue": 3}, (4, 1)),  # demand 4x, capped at 4
    ("hpa", {"pods": 2, "cpu": 1, "busy": 1, "queue": 0}, (2, 1)),  # never scales down
    ("hpa", {"pods": 2, "cpu": 2, "busy": 4, "queue": 10}, (2, 2)),  # node full: 2 x 2
    ("vpa", {"pods": 1, "cpu": 1, "busy": 1, "queue": 1}, (1, 3)),  # ceil(2 / 0.7)
    ("vpa", {"pods": 2, "cpu": 1, "busy": 2, "queue": 20}, (2, 2)),  # 4 cpus / 2 pods
])
def test_desired_scale(mode: str, metrics: dict, expected: tuple[int, int]) -> None:
    assert rr.desired_scale(metrics, mode, target=0.7, node_cpus=4) == expected


def test_desired_scale_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="hpa"):
        rr.desired_scale({"pods": 1, "cpu": 1, "busy": 0, "queue": 0}, "both", 0.7, 4)


def _run(records: list[rr.RequestRecord]) -> rr.LoadRun:
    return rr.LoadRun("synthetic", records, [{"t": 0.1, "pods": 2, "cpu": 1}], 0.0, 0.0,
                      duration=2.0, timeout=1.0)


def test_timeline_and_summary_count_outcomes() -> None:
    recs = [rr.RequestRecord(0.1 * i, 0.2, "ok") for i in range(10)]  # sent 0.0-0.9 s
    recs += [rr.RequestRecord(1.2, 0.001, "dropped", "503"), rr.RequestRecord(1.3, None, "timeout")]
    run = _run(recs)
    assert run.counts() == {"ok": 10, "dropped": 1, "timeout": 1, "error": 0}
    tl = run.timeline(1.0)
    assert list(tl.offered) == [10, 2]
    assert list(tl.served) == [8, 2]  # answers completed 0.2-1.1 s
    assert list(tl.dropped) == [0, 1] and list(tl.timeout) == [0, 1]
    assert tl.p50_ms[0] == pytest.approx(200)
    s = run.summary()
    assert s["sent"] == 12 and s["max_pods"] == 2 and s["p95_ms"] == pytest.approx(200)


@pytest.fixture(scope="module")
def service() -> Iterator[rr.Service]:
    with rr.Service(service_ms=50, queue_limit=5, node_cpus=4, pod_start_s=0.3,
                    restart_s=0.3) as svc:
        yield svc


def test_service_binds_localhost_and_serves_within_capacity(service: rr.Service) -> None:
    assert service.url.startswith("http://127.0.0.1:")
    service.reset(pods=1, cpu=1)
    run = rr.run_load(service.url, rr.ramp(8, 8, 1.5), timeout=2.0, progress=False)
    assert run.counts()["ok"] == len(run.requests) == 12
    assert all(r.latency is not None and r.latency >= 0.045 for r in run.requests)
    assert service.metrics()["served"] == 12


def test_overload_drops_when_the_queue_is_full(service: rr.Service) -> None:
    service.reset(pods=1, cpu=1)
    run = rr.run_load(service.url, rr.ramp(100, 100, 0.5), timeout=0.2, progress=False)
    counts = run.counts()
    assert counts["dropped"] > 0 and counts["timeout"] > 0
    # a 503 that reaches a client after its timeout counts there as a timeout
    assert 0 < counts["dropped"] <= service.metrics()["dropped"]
    assert sum(counts.values()) == len(run.requests) == 50


def test_scaling_respects_the_node_and_restarts_on_resize(service: rr.Service) -> None:
    service.reset(pods=1, cpu=1)
    with pytest.raises(ValueError, match="exceed"):
        service.scale(pods=5)
    m = service.scale(cpu=2)  # VPA Recreate: the pod restarts
    assert m["cpu"] == 2 and m["ready_pods"] == 0 and m["slots"] == 0
    time.sleep(0.6)
    m = service.scale(pods=2)  # HPA: the new pod starts
    assert m["pods"] == 2 and m["ready_pods"] == 1 and m["slots"] == 2
    time.sleep(0.6)
    assert service.metrics()["slots"] == 4
    with pytest.raises(ValueError):
        service.reset(pods=3, cpu=2)


def test_autoscaled_run_grows_to_the_node_limit(service: rr.Service) -> None:
    service.reset(pods=1, cpu=1)
    run = rr.run_load(service.url, rr.ramp(20, 120, 3), timeout=2.0, autoscale="hpa",
                      node_cpus=4, sample_s=0.1, scale_every=0.3, progress=False)
    assert run.summary()["max_pods"] == 4
    assert max(s["slots"] for s in run.samples) == 4


def test_front_door_without_kafka_answers_an_error(service: rr.Service) -> None:
    resp = httpx.post(f"{service.url}/submit", timeout=5)
    assert resp.status_code == 501 and "Kafka" in resp.json()["error"]


# ---- verdicts: each branch with synthetic measurements --------------------------------------
def _scaled_run(samples: list[dict], outcomes: list[tuple[float, str]]) -> rr.LoadRun:
    return rr.LoadRun("x", [rr.RequestRecord(t, None, o) for t, o in outcomes], samples,
                      0.0, 0.0, 10.0, 2.0)


def test_after_full_verdict_follows_the_run() -> None:
    samples = [{"t": 1.0, "slots": 2}, {"t": 3.0, "slots": 4}]
    never = rr.after_full_verdict(_scaled_run(samples[:1], []), 4)
    assert "never had all 4 cpus" in never
    back = rr.after_full_verdict(_scaled_run(samples, [(2.0, "timeout"), (3.5, "dropped")]), 4)
    assert "full from 3.0 s" in back and "1 requests timed out" in back and "came back" in back
    assert "1 were lost earlier" in back
    clean = rr.after_full_verdict(_scaled_run(samples, [(3.5, "ok"), (1.0, "timeout")]), 4)
    assert "no request sent after that" in clean and "came back" not in clean
    assert rr.full_since(_scaled_run(samples, []), 4) == 3.0


def test_front_door_verdict_follows_the_counts() -> None:
    absorbed = rr.front_door_verdict({"ok": 10, "dropped": 0, "timeout": 0}, 7)
    assert "accepted every request while the HPA run lost 7" in absorbed
    assert "by construction" in absorbed
    calm = rr.front_door_verdict({"ok": 10}, 0)
    assert "Neither run lost" in calm and "by construction" in calm
    lost = rr.front_door_verdict({"ok": 8, "dropped": 1, "timeout": 1, "error": 1}, 5)
    assert "lost 3 requests" in lost and "by construction" in lost


def test_buffer_and_timeout_verdicts() -> None:
    assert "without a BufferError" in rr.buffer_verdict(5000, 1000)
    assert "After 999 records the producer raised BufferError" in rr.buffer_verdict(999, 1000)
    ok = rr.timeout_verdict([], 5, 1000)
    assert "All 5 records were delivered" in ok
    gone = rr.timeout_verdict(["_MSG_TIMED_OUT"] * 5, 5, 1000)
    assert "5 of 5 records failed with _MSG_TIMED_OUT" in gone


def test_check_capacity_names_type_and_range_errors() -> None:
    samples = [{"t": 0.0, "served": 0, "queue": 1}, {"t": 1.0, "served": 10, "queue": 1}]

    def good(s: list) -> float:
        return (s[-1]["served"] - s[0]["served"]) / (s[-1]["t"] - s[0]["t"])

    def pods(rate: float, slot: float, utilisation: float = 0.7) -> int:
        return int(-(-rate // (slot * utilisation)))

    assert rr.check_capacity(good, pods, samples).startswith("ok")
    for bad_cap, needle in ((lambda s: "10", "a number"), (lambda s: 0.0, "not a rate"),
                            (lambda s: float("nan"), "not a rate")):
        with pytest.raises(AssertionError, match=needle):
            rr.check_capacity(bad_cap, pods, samples)
    with pytest.raises(AssertionError, match="return an int"):
        rr.check_capacity(good, lambda r, s, u=0.7: r / (s * u), samples)
    with pytest.raises(AssertionError, match="returned 0"):
        rr.check_capacity(good, lambda r, s, u=0.7: 0, samples)


def test_crashing_producer_crashes_once_on_its_nth_produce() -> None:
    sent: list[str] = []

    class Fake:
        def produce(self, topic: str, **kw: object) -> None:
            sent.append(topic)

        def flush(self, timeout: float) -> int:
            return 0

    p = rr.CrashingProducer(Fake(), crash_at=2)
    p.produce("a")
    with pytest.raises(rr.PodCrash):
        p.produce("b")
    assert not isinstance(rr.PodCrash("x"), Exception)  # `except Exception` cannot swallow it
    p.produce("c")
    assert sent == ["a", "c"] and p.flush(1) == 0
