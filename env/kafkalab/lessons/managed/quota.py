"""A produce quota seen from the client: throughput, and the throttle time the broker reports
back (librdkafka's statistics, ``brokers.<name>.throttle``, every ``statistics.interval.ms``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from confluent_kafka import Producer


@dataclass
class QuotaRun:
    """``samples``: (seconds since start, bytes acknowledged so far, throttle max ms and
    average ms in the last statistics window)."""

    records: int
    errors: list[str]
    seconds: float
    bytes_acked: int
    samples: list[tuple[float, int, float, float]] = field(default_factory=list)

    @property
    def bytes_per_second(self) -> float:
        return self.bytes_acked / self.seconds if self.seconds else 0.0

    @property
    def throttle_ms_max(self) -> float:
        return max((s[2] for s in self.samples), default=0.0)


def produce_under_quota(conf: dict, topic: str, seconds: float, size: int = 1024,
                        timeout: float = 120.0, progress: bool = True) -> QuotaRun:
    """Produce values of ``size`` bytes for ``seconds``, as fast as the client lets us, then
    wait for every acknowledgement; sample the statistics every 250 ms. The client's queue and
    batches are kept small (64 KiB, 16 KiB) so that what it sends follows what the broker
    lets through, instead of one large first burst."""
    acked = [0]
    errors: list[str] = []
    samples: list[tuple[float, int, float, float]] = []
    t0 = time.monotonic()

    def on_stats(text: str) -> None:
        stats = json.loads(text)
        throttles = [b.get("throttle", {}) for b in stats.get("brokers", {}).values()
                     if b.get("nodeid", -1) >= 0]
        mx = max((t.get("max", 0) for t in throttles), default=0)
        avg = max((t.get("avg", 0) for t in throttles), default=0)
        samples.append((time.monotonic() - t0, acked[0] * size, float(mx), float(avg)))

    def on_delivery(err: object, _msg: object) -> None:
        if err is None:
            acked[0] += 1
        else:
            errors.append(str(err))

    producer = Producer({**conf, "statistics.interval.ms": 250, "stats_cb": on_stats,
                         "linger.ms": 5, "batch.size": 16384,
                         "queue.buffering.max.kbytes": 64, "log_level": 0})
    value = b"x" * size
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc="acknowledged", unit="rec")
    sent = 0
    stop, deadline = t0 + seconds, t0 + timeout
    while time.monotonic() < stop:
        try:
            producer.produce(topic, value, on_delivery=on_delivery)
            sent += 1
        except BufferError:
            producer.poll(0.05)  # the local queue is full: wait for acknowledgements
        before = acked[0]
        producer.poll(0)
        if bar is not None:
            bar.update(acked[0] - before)
    while acked[0] + len(errors) < sent and time.monotonic() < deadline:
        before = acked[0]
        producer.poll(0.1)
        if bar is not None:
            bar.update(acked[0] - before)
    producer.flush(1)
    seconds = time.monotonic() - t0
    producer.poll(0.3)  # a last statistics window
    if bar is not None:
        bar.close()
    return QuotaRun(sent, errors, seconds, acked[0] * size, samples)


def plot_quota(runs: dict[str, QuotaRun], quota_bytes: int):
    """Bytes acknowledged over time per run (with the quota's slope), and the throttle time
    the broker reported."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    for label, run in runs.items():
        t = [s[0] for s in run.samples]
        left.plot(t, [s[1] / 1024 for s in run.samples], label=label)
        right.plot(t, [s[2] for s in run.samples], label=label)
    longest = max((r.seconds for r in runs.values()), default=1)
    left.plot([0, longest], [0, quota_bytes * longest / 1024], "k--", lw=1,
              label="the quota's rate")
    left.set(xlabel="seconds", ylabel="KiB acknowledged", title="throughput")
    right.set(xlabel="seconds", ylabel="ms", title="throttle time reported by the broker (max)")
    left.legend()
    right.legend()
    fig.tight_layout()
    return fig
