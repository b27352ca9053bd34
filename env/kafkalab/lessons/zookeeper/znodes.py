"""Reading Kafka's znodes with kazoo: connect, decode, read, list, and ZooKeeper's counters."""

from __future__ import annotations

import json
from typing import Any

from kazoo.client import KazooClient


def connect(hosts: str, timeout: float = 15.0) -> KazooClient:
    """A started kazoo client for ``hosts`` (``cluster.zookeeper_connect``)."""
    if not hosts:
        raise ValueError("No ZooKeeper address: start the cluster with mode='zookeeper' and pass "
                         "cluster.zookeeper_connect.")
    zk = KazooClient(hosts=hosts, timeout=timeout)
    zk.start(timeout=timeout)
    return zk


def decode(data: bytes | None) -> Any:
    """A znode's bytes as JSON when they parse, else as text (None for no data)."""
    if not data:
        return None
    text = data.decode(errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def read(zk: KazooClient, path: str) -> Any:
    """The decoded content of one znode (raises kazoo's NoNodeError when it does not exist)."""
    data, _ = zk.get(path)
    return decode(data)


def controller_id(zk: KazooClient) -> int | None:
    """The broker that ``/controller`` names now, or None between controllers: the znode is
    ephemeral, so it vanishes when the controller's session ends (also between an ``exists``
    and a ``get``)."""
    from kazoo.exceptions import NoNodeError

    try:
        return read(zk, "/controller")["brokerid"]
    except NoNodeError:
        return None


def znode_rows(zk: KazooClient, path: str = "/", depth: int = 6,
               skip: tuple[str, ...] = ("/zookeeper",)) -> list[dict[str, Any]]:
    """Every znode under ``path`` (depth-first): path, ephemeral or not, size and content."""
    rows: list[dict[str, Any]] = []

    def walk(p: str, level: int) -> None:
        for child in sorted(zk.get_children(p)):
            q = f"{p.rstrip('/')}/{child}"
            if q in skip:
                continue
            try:
                data, stat = zk.get(q)
            except Exception:  # vanished between listing and reading
                continue
            text = (data or b"").decode(errors="replace")
            rows.append({"path": q, "ephemeral": stat.ephemeralOwner != 0,
                         "session": hex(stat.ephemeralOwner) if stat.ephemeralOwner else "",
                         "bytes": stat.dataLength, "version": stat.version,
                         "data": text[:90] + ("…" if len(text) > 90 else "")})
            if level < depth:
                walk(q, level + 1)

    walk(path, 1)
    return rows


def znode_table(zk: KazooClient, path: str = "/", depth: int = 6):  # noqa: ANN201 - pandas
    """:func:`znode_rows` as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(znode_rows(zk, path, depth))


def server_stats(zk: KazooClient) -> dict[str, str]:
    """ZooKeeper's own counters (the ``mntr`` four-letter command): znodes, data size, ..."""
    out = zk.command(b"mntr")
    stats = {}
    for line in out.splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            stats[k] = v
    return stats
