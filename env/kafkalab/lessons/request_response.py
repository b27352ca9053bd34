"""Lesson 01 support: a real HTTP service on 127.0.0.1 whose "pods" have fixed capacity.

* :class:`Service` runs the service in a child process (uvicorn). A pod of ``cpu`` units serves
  ``cpu`` requests at a time, each taking ``service_ms`` (a sleep, so capacity is exact even on a
  busy machine); requests wait in one bounded queue, and a full queue answers 503 (dropped).
  ``scale(pods, cpu)`` adds pods (HPA, each ready after ``pod_start_s``) or resizes them (VPA,
  Recreate mode: each pod restarts, unready for ``restart_s``), never beyond ``node_cpus``.
  ``POST /submit`` is the Kafka front door: it appends the request to a topic, waits for the
  broker's acknowledgement and answers 202 with a request id.
* :func:`run_load` an open-loop load generator (:func:`ramp` schedules) that counts answers,
  drops (503) and client timeouts, with an optional HPA or VPA autoscaler; :class:`LoadRun`
  holds the measurement records, ``timeline()`` bins them, :func:`plot_run` draws them.
* :class:`KafkaWorkers` pods that consume the front door's topic at their own pace,
  :class:`LagMonitor` samples the group's lag, :func:`plot_kafka_run` draws the Kafka run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from confluent_kafka import Consumer, Producer, TopicPartition

if TYPE_CHECKING:  # numpy, pandas and matplotlib load lazily: the service process needs none
    import pandas as pd


@dataclass
class ServiceConfig:
    pods: int = 1
    cpu: int = 1
    service_ms: float = 50.0
    queue_limit: int = 50
    node_cpus: int = 4
    pod_start_s: float = 1.0
    restart_s: float = 1.0
    bootstrap_servers: str = ""
    topic: str = ""


class _Pod:
    def __init__(self, cpu: int) -> None:
        self.cpu, self.ready, self.generation = cpu, False, 0


class _Pool:
    """The pods and their shared queue (runs inside the service process)."""

    def __init__(self, cfg: ServiceConfig) -> None:
        self.cfg = cfg
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=cfg.queue_limit)
        self.pods: list[_Pod] = []
        self.busy = self.served = self.dropped = self.accepted = 0
        self.tasks: set[asyncio.Task] = set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        while not self.queue.empty():  # answer what is left so no handler waits forever
            fut, _ = self.queue.get_nowait()
            if not fut.done():
                fut.set_result({"error": "service reset"})

    def start(self, pods: int, cpu: int, delay: float = 0.0) -> None:
        for _ in range(pods):
            pod = _Pod(cpu)
            self.pods.append(pod)
            self._spawn(self._boot(pod, delay))

    async def _boot(self, pod: _Pod, delay: float) -> None:
        await asyncio.sleep(delay)
        pod.ready = True
        for _ in range(pod.cpu):
            self._spawn(self._slot(pod, pod.generation))

    async def _slot(self, pod: _Pod, generation: int) -> None:
        while pod.generation == generation:
            fut, queued_at = await self.queue.get()
            started = time.monotonic()
            self.busy += 1
            await asyncio.sleep(self.cfg.service_ms / 1000)
            self.busy -= 1
            self.served += 1
            if not fut.done():
                fut.set_result({"wait_ms": 1000 * (started - queued_at),
                                "service_ms": 1000 * (time.monotonic() - started)})

    def scale(self, pods: int, cpu: int) -> str:
        if pods * cpu > self.cfg.node_cpus:
            return f"{pods} pods x {cpu} cpu exceed the node's {self.cfg.node_cpus} cpus"
        if cpu != self.pods[0].cpu:  # VPA, Recreate: every pod restarts with its new size
            for pod in self.pods:
                pod.ready, pod.cpu = False, cpu
                pod.generation += 1
                self._spawn(self._boot(pod, self.cfg.restart_s))
        if pods > len(self.pods):  # HPA: new pods become ready after they start
            self.start(pods - len(self.pods), cpu, self.cfg.pod_start_s)
        return ""

    def metrics(self) -> dict[str, Any]:
        ready = [p for p in self.pods if p.ready]
        return {"pods": len(self.pods), "ready_pods": len(ready),
                "cpu": self.pods[0].cpu if self.pods else 0,
                "slots": sum(p.cpu for p in ready), "busy": self.busy,
                "queue": self.queue.qsize(), "served": self.served,
                "dropped": self.dropped, "accepted": self.accepted}


def _app(cfg: ServiceConfig) -> Any:
    state: dict[str, Any] = {}

    async def reply(send: Any, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    async def lifespan(receive: Any, send: Any) -> None:
        await receive()
        state["pool"] = _Pool(cfg)
        state["pool"].start(cfg.pods, cfg.cpu)
        if cfg.bootstrap_servers:
            state["producer"] = _FrontDoorProducer(cfg.bootstrap_servers, cfg.topic)
        await send({"type": "lifespan.startup.complete"})
        await receive()
        if "producer" in state:
            state["producer"].close()
        await send({"type": "lifespan.shutdown.complete"})

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return await lifespan(receive, send)
        pool: _Pool = state["pool"]
        path = scope["path"]
        query = dict(p.split("=") for p in scope["query_string"].decode().split("&") if p)
        if path == "/work":
            if pool.queue.full():
                pool.dropped += 1
                return await reply(send, 503, {"error": "queue full, request dropped"})
            fut = asyncio.get_running_loop().create_future()
            pool.queue.put_nowait((fut, time.monotonic()))
            return await reply(send, 200, await fut)
        if path == "/submit":
            if "producer" not in state:
                return await reply(send, 501, {"error": "no Kafka front door configured"})
            request_id = uuid.uuid4().hex
            error = await state["producer"].send(request_id, query.get("topic"))
            if error:
                return await reply(send, 503, {"error": error})
            pool.accepted += 1
            return await reply(send, 202, {"id": request_id})
        if path == "/metrics":
            return await reply(send, 200, pool.metrics())
        if path == "/reset":  # a fresh pool: new pods, empty queue, counters at zero
            pool.close()
            pods, cpu = int(query.get("pods", cfg.pods)), int(query.get("cpu", cfg.cpu))
            if pods * cpu > cfg.node_cpus:
                return await reply(send, 409, {"error": f"{pods} x {cpu} > {cfg.node_cpus}"})
            state["pool"] = pool = _Pool(cfg)
            pool.start(pods, cpu)
            return await reply(send, 200, pool.metrics())
        if path == "/scale":
            m = pool.metrics()
            error = pool.scale(int(query.get("pods", m["pods"])), int(query.get("cpu", m["cpu"])))
            return await reply(send, 409 if error else 200,
                               {"error": error} if error else pool.metrics())
        return await reply(send, 404, {"error": f"no route {path}"})

    return app


class _FrontDoorProducer:
    """An idempotent acks=all producer; ``send`` resolves when the broker has the request."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        from confluent_kafka import Producer

        self.topic = topic
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                                  "enable.idempotence": True, "linger.ms": 2})
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.stop.is_set():
            self.producer.poll(0.05)

    async def send(self, request_id: str, topic: str | None = None) -> str:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def done(err: Any, _msg: Any) -> None:
            loop.call_soon_threadsafe(fut.set_result, str(err) if err else "")

        body = json.dumps({"id": request_id, "t_accept": time.time()})
        try:
            self.producer.produce(topic or self.topic, key=request_id, value=body,
                                  on_delivery=done)
        except Exception as exc:  # full buffer or unknown topic: refuse, the client may retry
            return str(exc)
        return await fut

    def close(self) -> None:
        self.producer.flush(10)
        self.stop.set()


def _serve(cfg: ServiceConfig, port: int) -> None:
    import uvicorn

    parent = os.getppid()

    async def main() -> None:
        server = uvicorn.Server(uvicorn.Config(_app(cfg), host="127.0.0.1", port=port,
                                               log_level="warning", backlog=1024))
        task = asyncio.create_task(server.serve())
        while not task.done():  # die with the notebook kernel that started us
            await asyncio.sleep(0.5)
            if os.getppid() != parent:
                server.should_exit = True
        await task

    asyncio.run(main())


def _main() -> None:
    parser = argparse.ArgumentParser(description="Lesson 01's HTTP service (127.0.0.1 only)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", default="{}")
    args = parser.parse_args()
    _serve(ServiceConfig(**json.loads(args.config)), args.port)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """The HTTP service in a child process, bound to 127.0.0.1. Use as a context manager."""

    def __init__(self, **config: Any) -> None:
        self.config = ServiceConfig(**config)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log: Any = None

    def start(self, timeout: float = 30.0) -> Service:
        cmd = [sys.executable, "-m", "kafkalab.lessons.request_response", "--port",
               str(self.port), "--config", json.dumps(asdict(self.config))]
        # its log goes to a file: a pipe nobody reads would block the service once full
        self.log = tempfile.NamedTemporaryFile(prefix="kafkalab-service-", suffix=".log")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = Path(self.log.name).read_text(errors="replace")
                raise RuntimeError(f"The service exited at start: {err[-2000:]}")
            try:
                self.metrics()
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The service did not answer on {self.url} within {timeout} s; "
                           "the machine may be overloaded: run the cell again.")

    def metrics(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/metrics", timeout=5).json()

    def scale(self, pods: int | None = None, cpu: int | None = None) -> dict[str, Any]:
        params = {k: v for k, v in (("pods", pods), ("cpu", cpu)) if v is not None}
        resp = httpx.post(f"{self.url}/scale", params=params, timeout=5)
        if resp.status_code != 200:
            raise ValueError(resp.json()["error"])
        return resp.json()

    def reset(self, pods: int = 1, cpu: int = 1) -> dict[str, Any]:
        """Replace every pod by ``pods`` fresh pods of ``cpu``, with an empty queue."""
        resp = httpx.post(f"{self.url}/reset", params={"pods": pods, "cpu": cpu}, timeout=5)
        if resp.status_code != 200:
            raise ValueError(resp.json()["error"])
        return resp.json()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> Service:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- the load generator and autoscalers ----------------------------------------------------


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


@dataclass
class RequestRecord:
    """One request as the client saw it: ``outcome`` is ok, dropped (503), timeout or error."""

    sent: float
    latency: float | None
    outcome: str
    detail: str = ""
    request_id: str = ""


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


@dataclass
class LoadRun:
    """The measurement records of one load run (times in seconds from its start)."""

    name: str
    requests: list[RequestRecord]
    samples: list[dict[str, Any]]
    started_mono: float
    started_wall: float
    duration: float
    timeout: float

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        df = pd.DataFrame([asdict(r) for r in self.requests],
                          columns=["sent", "latency", "outcome", "detail", "request_id"])
        df["done"] = df["sent"] + df["latency"]
        return df

    def counts(self) -> dict[str, int]:
        got = Counter(r.outcome for r in self.requests)
        return {k: got.get(k, 0) for k in ("ok", "dropped", "timeout", "error")}

    def summary(self) -> dict[str, Any]:
        df, tl = self.frame(), self.timeline(1.0)
        ok = df[df.outcome == "ok"].latency * 1000
        return {"run": self.name, "sent": len(df), **self.counts(),
                "p50_ms": round(ok.quantile(0.5), 1) if len(ok) else None,
                "p95_ms": round(ok.quantile(0.95), 1) if len(ok) else None,
                "peak_served_rps": float(tl.served.max()) if len(tl) else 0.0,
                "max_pods": max((s["pods"] for s in self.samples), default=0),
                "max_cpu": max((s["cpu"] for s in self.samples), default=0)}

    def timeline(self, bin_s: float = 0.5) -> pd.DataFrame:
        """Per time bin: offered, served (answers completed), dropped and timed-out requests
        per second, and the p50/p95 latency (ms) of the answered requests sent in the bin."""
        import numpy as np
        import pandas as pd

        df = self.frame()
        edges = np.arange(0, self.duration + bin_s, bin_s)
        ok = df[df.outcome == "ok"]

        def rate(values: pd.Series) -> np.ndarray:
            return np.histogram(values.dropna(), edges)[0] / bin_s

        bins = pd.cut(ok.sent, edges, right=False)
        lat = ok.latency.groupby(bins, observed=False)
        return pd.DataFrame({"t": edges[:-1], "offered": rate(df.sent), "served": rate(ok.done),
                             "dropped": rate(df[df.outcome == "dropped"].sent),
                             "timeout": rate(df[df.outcome == "timeout"].sent),
                             "p50_ms": lat.quantile(0.5).to_numpy() * 1000,
                             "p95_ms": lat.quantile(0.95).to_numpy() * 1000})


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


def plot_run(run: LoadRun, bin_s: float = 0.5) -> Any:
    """Three panels: request rates, latency of answered requests, and capacity vs demand."""
    import matplotlib.pyplot as plt
    import pandas as pd

    tl = run.timeline(bin_s)
    fig, (a, b, c) = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    for col, style in (("offered", "k--"), ("served", "g-"), ("dropped", "r-"),
                       ("timeout", "m-")):
        a.plot(tl.t, tl[col], style, label=col)
    a.set_ylabel("requests/s")
    a.legend(loc="upper left", fontsize=8)
    b.plot(tl.t, tl.p50_ms, label="p50")
    b.plot(tl.t, tl.p95_ms, label="p95")
    b.axhline(run.timeout * 1000, color="m", ls=":", label="client timeout")
    b.set_ylabel("latency (ms)")
    b.legend(loc="upper left", fontsize=8)
    s = pd.DataFrame(run.samples)
    if len(s):
        c.step(s.t, s.slots, where="post", label="ready capacity (slots)")
        c.plot(s.t, s.busy, label="busy slots")
        c.plot(s.t, s["queue"], label="queued requests")
    c.set_xlabel("seconds since start")
    c.legend(loc="upper left", fontsize=8)
    fig.suptitle(run.name)
    fig.tight_layout()
    return fig


# ---- Kafka in front: workers that consume at their own pace, and the lag they leave ----------


def process(request: dict[str, Any], service_ms: float) -> None:
    """A pod's work on one request: ``service_ms`` of (simulated) processing."""
    time.sleep(service_ms / 1000)


PodLoop = Callable[[Consumer, Producer, threading.Event], None]


class KafkaWorkers:
    """``pods`` threads, each one pod with its own consumer in ``group`` on ``topic``.

    Without ``pod_loop`` each pod processes a request (:func:`process`), records when it was
    done (``self.done``) and then stores its offset (committed every 200 ms): at least once.
    A custom ``pod_loop(consumer, producer, stop)`` gets a consumer with auto-commit off, a
    producer, and must return soon after ``stop`` is set; exceptions it raises land in
    ``errors`` (``start`` then returns at once).
    """

    def __init__(self, cluster: Any, topic: str, group: str, pods: int, service_ms: float,
                 pod_loop: PodLoop | None = None) -> None:
        self.cluster, self.topic, self.group, self.pods = cluster, topic, group, pods
        self.service_ms, self.pod_loop = service_ms, pod_loop
        self.done: list[dict[str, Any]] = []
        self.assigned: dict[int, int] = {}
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.clients: list[tuple[Consumer, Producer]] = []
        self.errors: list[Exception] = []

    def _default_loop(self, pod: int) -> PodLoop:
        def loop(consumer: Consumer, _producer: Producer, stop: threading.Event) -> None:
            while not stop.is_set():
                msg = consumer.poll(0.1)
                if msg is None or msg.error():
                    continue
                request = json.loads(msg.value())
                process(request, self.service_ms)
                self.done.append({**request, "t_done": time.time(), "pod": pod})
                consumer.store_offsets(message=msg)
        return loop

    def start(self, timeout: float = 60.0) -> KafkaWorkers:
        """Start the pods and wait until the group has assigned every partition."""
        parts = len(self.cluster.describe([self.topic]).topic(self.topic))
        custom = self.pod_loop is not None
        for pod in range(self.pods):
            extra = ({"enable_auto_commit": False} if custom else
                     {"enable_auto_offset_store": False, "auto_commit_interval_ms": 200})
            consumer = Consumer(self.cluster.consumer_config(self.group, **extra))

            def on_assign(_c: Any, tps: list, pod: int = pod) -> None:
                self.assigned[pod] = len(tps)

            def on_revoke(_c: Any, _tps: list, pod: int = pod) -> None:
                self.assigned[pod] = 0

            consumer.subscribe([self.topic], on_assign=on_assign, on_revoke=on_revoke)
            producer = Producer(self.cluster.producer_config(linger_ms=2))
            loop = self.pod_loop if custom else self._default_loop(pod)
            thread = threading.Thread(target=self._guard, args=(loop, consumer, producer),
                                      daemon=True)
            self.clients.append((consumer, producer))
            self.threads.append(thread)
            thread.start()
        deadline = time.monotonic() + timeout
        while not self._balanced(parts):
            if self.errors:
                return self  # a pod loop failed: the caller reports ``errors``
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"The group {self.group} did not assign all {parts} "
                                   f"partitions within {timeout} s (does the pod loop poll?).")
            time.sleep(0.05)
        return self

    def _balanced(self, parts: int) -> bool:
        """Every partition assigned, and every pod busy (when there are enough partitions)."""
        counts = list(self.assigned.values())
        return (sum(counts) == parts and len(counts) == self.pods
                and sum(1 for n in counts if n > 0) == min(self.pods, parts))

    def _guard(self, loop: PodLoop, consumer: Consumer, producer: Producer) -> None:
        try:
            loop(consumer, producer, self.stop_event)
        except Exception as exc:  # reported to the notebook, not lost in a thread
            # without its traceback, which would keep this pod's clients alive
            self.errors.append(exc.with_traceback(None))

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(15)
        for consumer, producer in self.clients:
            producer.flush(10)
            consumer.close()
        self.clients, self.threads = [], []

    def __enter__(self) -> KafkaWorkers:
        return self.start() if not self.threads else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _lag(consumer: Consumer, tps: list[TopicPartition]) -> int:
    total = 0
    for tp in consumer.committed(tps, timeout=10):
        low, high = consumer.get_watermark_offsets(tp, timeout=10)
        total += high - (tp.offset if tp.offset >= 0 else low)
    return total


def group_lag(cluster: Any, topic: str, group: str) -> int:
    """Records of ``topic`` that ``group`` has not committed yet (summed over partitions)."""
    consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
    try:
        tps = [TopicPartition(topic, p.partition) for p in cluster.describe([topic]).topic(topic)]
        return _lag(consumer, tps)
    finally:
        consumer.close()


def topic_size(cluster: Any, topic: str) -> int:
    """How many records ``topic`` holds (log end minus log start, summed over partitions)."""
    consumer = Consumer(cluster.consumer_config("topic-size", enable_auto_commit=False))
    try:
        total = 0
        for p in cluster.describe([topic]).topic(topic):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p.partition), 10)
            total += high - low
        return total
    finally:
        consumer.close()


class LagMonitor:
    """Samples the group's lag (log end offset minus committed offset, summed over
    partitions) every ``every`` seconds in a thread; ``samples`` holds (monotonic time, lag)."""

    def __init__(self, cluster: Any, topic: str, group: str, every: float = 0.25) -> None:
        self.topic, self.every = topic, every
        self.consumer = Consumer(cluster.consumer_config(group, enable_auto_commit=False))
        parts = cluster.describe([topic]).topic(topic)
        self.tps = [TopicPartition(topic, p.partition) for p in parts]
        self.samples: list[tuple[float, int]] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def lag(self) -> int:
        return _lag(self.consumer, self.tps)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.samples.append((time.monotonic(), self.lag()))
            except Exception:  # a slow answer on a busy machine: skip this sample
                pass
            self.stop_event.wait(self.every)

    def wait_drained(self, timeout: float) -> float | None:
        """Wait until the lag is 0; return the seconds waited, or None at ``timeout``."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.samples and self.samples[-1][1] == 0 and self.samples[-1][0] > start:
                return time.monotonic() - start
            time.sleep(self.every / 2)
        return None

    def __enter__(self) -> LagMonitor:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(15)
        self.consumer.close()


def end_to_end(run: LoadRun, workers: KafkaWorkers) -> pd.DataFrame:
    """One row per processed request: accepted (s since the run's start) and end-to-end
    latency (ms) from the front door's acceptance to the end of processing."""
    import pandas as pd

    df = pd.DataFrame(workers.done, columns=["id", "t_accept", "t_done", "pod"])
    df["accepted"] = df.t_accept - run.started_wall
    df["e2e_ms"] = (df.t_done - df.t_accept) * 1000
    return df.sort_values("accepted")


def plot_kafka_run(run: LoadRun, monitor: LagMonitor, workers: KafkaWorkers,
                   bin_s: float = 0.5) -> Any:
    """Rates (offered, accepted, processed), consumer lag, and latency (front door vs e2e)."""
    import matplotlib.pyplot as plt
    import numpy as np

    tl, e2e = run.timeline(bin_s), end_to_end(run, workers)
    processed_t = e2e.t_done - run.started_wall
    end = max(tl.t.max() + bin_s, processed_t.max() if len(e2e) else 0)
    edges = np.arange(0, end + bin_s, bin_s)
    fig, (a, b, c) = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    a.plot(tl.t, tl.offered, "k--", label="offered")
    a.plot(tl.t, tl.served, "b-", label="accepted by the front door (202)")
    a.plot(edges[:-1], np.histogram(processed_t, edges)[0] / bin_s, "g-", label="processed")
    a.plot(tl.t, tl.dropped + tl.timeout, "r-", label="dropped + timed out")
    a.set_ylabel("requests/s")
    a.legend(loc="upper left", fontsize=8)
    lag = [(t - run.started_mono, n) for t, n in monitor.samples]
    b.plot([t for t, _ in lag], [n for _, n in lag], "C1")
    b.set_ylabel("consumer lag (records)")
    c.plot(tl.t, tl.p95_ms, label="front door p95 (202 answer)")
    if len(e2e):
        roll = e2e.set_index("accepted").e2e_ms
        c.plot(roll.index, roll.values, ".", ms=2, alpha=0.5, label="end to end (each request)")
    c.set_ylabel("latency (ms)")
    c.set_xlabel("seconds since start")
    c.legend(loc="upper left", fontsize=8)
    fig.suptitle(run.name)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    _main()
