"""The measurement records of a load run: one :class:`RequestRecord` per request, and a
:class:`LoadRun` that counts, summarises and bins them into a timeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and pandas load lazily
    import pandas as pd


@dataclass
class RequestRecord:
    """One request as the client saw it: ``outcome`` is ok, dropped (503), timeout or error."""

    sent: float
    latency: float | None
    outcome: str
    detail: str = ""
    request_id: str = ""


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
