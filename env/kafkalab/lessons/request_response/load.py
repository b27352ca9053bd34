"""The open-loop load generator (:func:`ramp` schedules, :func:`run_load`) with its small
asyncio HTTP client, and the HPA/VPA autoscaler's decision (:func:`desired_scale`)."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from typing import Any

from .records import LoadRun, RequestRecord


def ramp(start_rps: float, peak_rps: float, ramp_s: float, hold_s: float = 0.0,
         max_requests: int = 50_000) -> list[float]:
    """Send times (s from the start) for a rate growing linearly from ``start_rps`` to
    ``peak_rps`` over ``ramp_s``, then held for ``hold_s``: an open loop (arrivals do not wait
    for answers), bounded by ``max_requests``."""
    times: list[float] = []
    t, total = 0.0, ramp_s + hold_s
    while t < total - 1e-9 and len(times) < max_requests:
        times.append(t)
        rate = peak_rps if ramp_s <= 0 else start_rps + (peak_rps - start_rps) * min(t / ramp_s, 1)
        t += 1.0 / max(rate, 0.1)
    return times


def desired_scale(m: dict[str, Any], mode: str, target: float, node_cpus: int) -> tuple[int, int]:
    """The (pods, cpu) an autoscaler wants for metrics ``m``: demand (busy + queued requests)
    over configured capacity, scaled to reach ``target`` utilisation, capped by the node.
    ``mode`` "hpa" changes the pod count, "vpa" the cpu per pod; neither scales down."""
    pods, cpu = m["pods"], m["cpu"]
    utilisation = (m["busy"] + m["queue"]) / max(pods * cpu, 1)
    if mode == "hpa":
        pods = min(max(math.ceil(pods * utilisation / target), pods), node_cpus // cpu)
    elif mode == "vpa":
        cpu = min(max(math.ceil(cpu * utilisation / target), cpu), node_cpus // pods)
    else:
        raise ValueError(f"autoscale mode {mode!r}: use 'hpa' or 'vpa'")
    return pods, cpu


class _Timeout(Exception):
    """The client gave up: "connect timeout" or "read timeout" (no answer in time)."""


class _Client:
    """A small HTTP/1.1 client on asyncio streams with a keep-alive pool: far cheaper per
    request than a general-purpose client, so the load generator is not the bottleneck."""

    def __init__(self, url: str, timeout: float) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open: set[asyncio.StreamWriter] = set()

    async def request(self, method: str, path: str) -> tuple[int, bytes]:
        deadline = time.monotonic() + self.timeout
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.timeout)
            except TimeoutError:
                raise _Timeout("connect timeout") from None
            self.open.add(writer)
        try:
            writer.write(f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                         "Content-Length: 0\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"),
                                          max(deadline - time.monotonic(), 0.001))
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await asyncio.wait_for(reader.readexactly(length),
                                          max(deadline - time.monotonic(), 0.001))
        except TimeoutError:
            self._close(writer)  # an abandoned connection cannot be reused
            raise _Timeout("read timeout") from None
        except (OSError, asyncio.IncompleteReadError):
            self._close(writer)
            raise ConnectionError("connection closed by the service") from None
        self.idle.append((reader, writer))
        return int(head.split(b" ", 2)[1]), body

    def _close(self, writer: asyncio.StreamWriter) -> None:
        self.open.discard(writer)
        writer.close()

    async def __aenter__(self) -> _Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in list(self.open):
            self._close(writer)


async def _drive(url: str, times: list[float], path: str, timeout: float, autoscale: str | None,
                 target: float, node_cpus: int, sample_s: float, scale_every: float,
                 state: dict[str, int]) -> tuple[list[RequestRecord], list[dict], float, float]:
    records: list[RequestRecord | None] = [None] * len(times)
    samples: list[dict[str, Any]] = []
    method = "POST" if path.startswith("/submit") else "GET"
    start, wall = time.monotonic(), time.time()

    async def one(i: int, client: _Client) -> None:
        sent = time.monotonic() - start
        try:
            status, body = await client.request(method, path)
            latency = time.monotonic() - start - sent
            if status in (200, 202):
                rid = json.loads(body).get("id", "")
                records[i] = RequestRecord(sent, latency, "ok", request_id=rid)
            else:
                kind = "dropped" if status == 503 else "error"
                records[i] = RequestRecord(sent, latency, kind, str(status))
        except _Timeout as exc:
            records[i] = RequestRecord(sent, None, "timeout", str(exc))
        except OSError as exc:
            records[i] = RequestRecord(sent, None, "error", type(exc).__name__)
        state["done"] += 1

    async def sampler(stop: asyncio.Event) -> None:
        last_scale = -scale_every
        async with _Client(url, 5.0) as ctl:
            while not stop.is_set():
                try:
                    m = json.loads((await ctl.request("GET", "/metrics"))[1])
                    m["t"] = time.monotonic() - start
                    if (autoscale and m["ready_pods"] == m["pods"]
                            and m["t"] - last_scale >= scale_every):
                        pods, cpu = desired_scale(m, autoscale, target, node_cpus)
                        if (pods, cpu) != (m["pods"], m["cpu"]):
                            await ctl.request("POST", f"/scale?pods={pods}&cpu={cpu}")
                            last_scale = m["t"]
                    samples.append(m)
                except (_Timeout, OSError):
                    pass
                try:
                    await asyncio.wait_for(stop.wait(), sample_s)
                except TimeoutError:
                    pass

    async with _Client(url, timeout) as client:
        stop = asyncio.Event()
        sampling = asyncio.create_task(sampler(stop))
        tasks = []
        for i, t in enumerate(times):
            delay = start + t - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, client)))
            state["sent"] += 1
        await asyncio.wait(tasks, timeout=timeout + 5)
        for task in tasks:
            task.cancel()
        stop.set()
        await sampling
    done = [r or RequestRecord(times[i], None, "timeout", "unfinished")
            for i, r in enumerate(records)]
    return done, samples, start, wall


def run_load(url: str, times: list[float], *, path: str = "/work", timeout: float = 2.0,
             autoscale: str | None = None, target: float = 0.7, node_cpus: int = 4,
             sample_s: float = 0.25, scale_every: float = 1.0, name: str = "",
             progress: bool = True) -> LoadRun:
    """Send one request at each of ``times`` (see :func:`ramp`) to ``url + path``, each in its
    own connection slot, giving up after ``timeout`` s; sample ``/metrics`` every ``sample_s``
    and, with ``autoscale`` ("hpa"/"vpa"), rescale at most every ``scale_every`` s."""
    from tqdm.auto import tqdm

    state = {"sent": 0, "done": 0}
    out: dict[str, Any] = {}

    def work() -> None:
        try:
            out["r"] = asyncio.run(_drive(url, times, path, timeout, autoscale, target,
                                          node_cpus, sample_s, scale_every, state))
        except BaseException as exc:  # re-raised in the caller's thread
            out["e"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    with tqdm(total=len(times), desc=name or path, unit="req", disable=not progress) as bar:
        while thread.is_alive():
            thread.join(0.25)
            bar.update(state["done"] - bar.n)
    if "e" in out:
        raise out["e"]
    records, samples, start, wall = out["r"]
    duration = max([r.sent + (r.latency or timeout) for r in records], default=0.0)
    return LoadRun(name, records, samples, start, wall, duration, timeout)
