"""A fault-injecting TCP proxy on loopback in front of every broker of a cluster.

The client connects to the proxy; the proxy forwards Kafka's framed requests and responses
(4-byte length, then the message) and rewrites the brokers' addresses in every Metadata response
to its own ports, so the client never bypasses it. Two faults act on Produce requests:

* ``drop_responses=n``: the broker receives and appends the first ``n`` produce requests, but
  their responses are thrown away and the client's connection is closed, as a network failure
  right after the write would. The client does not know whether the write happened and retries.
* ``replay=n``: the first ``n`` produce requests are sent to the broker a second time (the same
  bytes, a new correlation id), as a network device duplicating a packet would; the broker's
  answer to each copy is kept in :attr:`FaultProxy.replays` (error code and base offset).

Threads, bounded: the proxy stops itself after ``lifetime`` seconds, and on :meth:`close` (it is
a context manager).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..cluster import Cluster

PRODUCE, METADATA = 0, 3
_INJECTED = 0x7F000000  # correlation ids of the copies the proxy sends (never the client's)


@dataclass
class ReplayAnswer:
    """The broker's answer to a replayed produce request (one per partition in it)."""

    partition: int
    error_code: int  # 0 = accepted (as new, or as a recognised duplicate)
    base_offset: int  # where the broker says the batch is; -1 with an error


@dataclass
class ProxyStats:
    produce_requests: int = 0  # produce requests the client sent
    dropped_responses: int = 0  # produce responses thrown away (connection closed)
    replayed: int = 0  # produce requests sent twice
    replays: list[ReplayAnswer] = field(default_factory=list)


# ---- the Kafka wire format, as far as the proxy needs it ----------------------------------------

def _uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def _put_uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _skip_tags(buf: bytes, pos: int) -> int:
    count, pos = _uvarint(buf, pos)
    for _ in range(count):
        _tag, pos = _uvarint(buf, pos)
        size, pos = _uvarint(buf, pos)
        pos += size
    return pos


def _string(buf: bytes, pos: int, flexible: bool) -> tuple[str | None, int]:
    if flexible:
        n, pos = _uvarint(buf, pos)
        n -= 1
    else:
        n = struct.unpack_from(">h", buf, pos)[0]
        pos += 2
    if n < 0:
        return None, pos
    return buf[pos:pos + n].decode(), pos + n


def _put_string(text: str | None, flexible: bool) -> bytes:
    if text is None:
        return _put_uvarint(0) if flexible else struct.pack(">h", -1)
    raw = text.encode()
    return (_put_uvarint(len(raw) + 1) if flexible else struct.pack(">h", len(raw))) + raw


def _array_len(buf: bytes, pos: int, flexible: bool) -> tuple[int, int]:
    if flexible:
        n, pos = _uvarint(buf, pos)
        return n - 1, pos
    return struct.unpack_from(">i", buf, pos)[0], pos + 4


def rewrite_metadata(body: bytes, version: int, ports: dict[int, int],
                     host: str = "127.0.0.1") -> bytes:
    """A Metadata response (after its 4-byte length) with each broker's host and port replaced
    by ``host`` and ``ports[node_id]``; brokers not in ``ports`` keep their address."""
    flexible = version >= 9
    pos = 4  # correlation id
    if flexible:
        pos = _skip_tags(body, pos)
    if version >= 3:
        pos += 4  # throttle_time_ms
    head = body[:pos]
    count, pos = _array_len(body, pos, flexible)
    brokers = [_put_uvarint(count + 1) if flexible else struct.pack(">i", count)]
    for _ in range(count):
        node_id = struct.unpack_from(">i", body, pos)[0]
        host_name, pos = _string(body, pos + 4, flexible)
        port = struct.unpack_from(">i", body, pos)[0]
        pos += 4
        entry = struct.pack(">i", node_id)
        if node_id in ports:
            host_name, port = host, ports[node_id]
        entry += _put_string(host_name, flexible) + struct.pack(">i", port)
        if version >= 1:
            start = pos
            _rack, pos = _string(body, pos, flexible)
            entry += body[start:pos]
        if flexible:
            start, pos = pos, _skip_tags(body, pos)
            entry += body[start:pos]
        brokers.append(entry)
    return head + b"".join(brokers) + body[pos:]


def parse_produce_response(body: bytes, version: int) -> list[ReplayAnswer]:
    """Each partition's error code and base offset in a Produce response (after its length)."""
    flexible = version >= 9
    pos = 4
    if flexible:
        pos = _skip_tags(body, pos)
    answers = []
    topics, pos = _array_len(body, pos, flexible)
    for _ in range(topics):
        if version >= 13:
            pos += 16  # topic id (a UUID) instead of the name
        else:
            _name, pos = _string(body, pos, flexible)
        parts, pos = _array_len(body, pos, flexible)
        for _ in range(parts):
            index, error, base = struct.unpack_from(">ihq", body, pos)
            answers.append(ReplayAnswer(index, error, base))
            pos += 14
            # the rest of the partition's entry varies by version; one partition per request is
            # all this course sends through the proxy, so stop at the first
            return answers
    return answers


def _read_frame(sock: socket.socket) -> bytes | None:
    head = _read_exact(sock, 4)
    if head is None:
        return None
    size = struct.unpack(">i", head)[0]
    return _read_exact(sock, size)


def _read_exact(sock: socket.socket, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        try:
            chunk = sock.recv(min(n - got, 1 << 20))
        except OSError:
            return None
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _send_frame(sock: socket.socket, body: bytes) -> None:
    sock.sendall(struct.pack(">i", len(body)) + body)


# ---- the proxy ---------------------------------------------------------------------------------

class FaultProxy:
    """``FaultProxy(cluster, drop_responses=1)``: a proxy in front of every broker of
    ``cluster``; give a client :attr:`bootstrap_servers` instead of the cluster's."""

    def __init__(self, cluster: Cluster, drop_responses: int = 0, replay: int = 0,
                 lifetime: float = 300.0) -> None:
        self._lock = threading.Lock()
        self._drops_left, self._replays_left = drop_responses, replay
        self.stats = ProxyStats()
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._upstream: dict[int, tuple[str, int]] = {}
        self._listeners: dict[int, socket.socket] = {}
        for node in cluster.brokers:
            if not node.ports:
                continue
            self._upstream[node.id] = ("127.0.0.1", node.ports[0])
            srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(("127.0.0.1", 0))
            srv.listen(16)
            srv.settimeout(0.5)
            self._listeners[node.id] = srv
        self.ports = {b: s.getsockname()[1] for b, s in self._listeners.items()}
        self._threads = [threading.Thread(target=self._accept, args=(b,), daemon=True,
                                          name=f"proxy-accept-{b}") for b in self._listeners]
        for t in self._threads:
            t.start()
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True
        self._timer.start()

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.ports.values())

    @property
    def replays(self) -> list[ReplayAnswer]:
        return list(self.stats.replays)

    def settle(self, timeout: float = 5.0) -> None:
        """Wait (up to ``timeout`` s) until the broker has answered every replayed copy."""
        deadline = time.monotonic() + timeout
        while len(self.stats.replays) < self.stats.replayed and time.monotonic() < deadline:
            time.sleep(0.02)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening and close every connection (idempotent)."""
        self._stop.set()
        self._timer.cancel()
        with self._lock:
            socks, self._sockets = self._sockets, []
        for s in [*self._listeners.values(), *socks]:
            try:
                s.close()
            except OSError:
                pass

    # -- connections --
    def _accept(self, broker: int) -> None:
        srv = self._listeners[broker]
        while not self._stop.is_set():
            try:
                client, _ = srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._upstream[broker], timeout=10)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            pending: dict[int, tuple[int, int]] = {}
            threading.Thread(target=self._client_to_broker, args=(client, upstream, pending),
                             daemon=True).start()
            threading.Thread(target=self._broker_to_client, args=(client, upstream, pending),
                             daemon=True).start()

    def _hang_up(self, *socks: socket.socket) -> None:
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _client_to_broker(self, client: socket.socket, upstream: socket.socket,
                          pending: dict[int, tuple[int, int]]) -> None:
        injected = _INJECTED
        while not self._stop.is_set():
            frame = _read_frame(client)
            if frame is None:
                break
            api_key, version, corr = struct.unpack_from(">hhi", frame, 0)
            pending[corr] = (api_key, version)
            copy = None
            if api_key == PRODUCE:
                with self._lock:
                    self.stats.produce_requests += 1
                    if self._replays_left > 0:
                        self._replays_left -= 1
                        self.stats.replayed += 1
                        injected += 1
                        copy = frame[:4] + struct.pack(">i", injected) + frame[8:]
                        pending[injected] = (api_key, version)
            try:
                _send_frame(upstream, frame)
                if copy is not None:
                    _send_frame(upstream, copy)
            except OSError:
                break
        deadline = time.monotonic() + 5  # let the broker answer the copies first
        while any(c > _INJECTED for c in list(pending)) and time.monotonic() < deadline:
            time.sleep(0.02)
        self._hang_up(client, upstream)

    def _broker_to_client(self, client: socket.socket, upstream: socket.socket,
                          pending: dict[int, tuple[int, int]]) -> None:
        while not self._stop.is_set():
            frame = _read_frame(upstream)
            if frame is None:
                break
            corr = struct.unpack_from(">i", frame, 0)[0]
            api_key, version = pending.get(corr, (-1, -1))
            if corr <= _INJECTED:
                pending.pop(corr, None)
            if corr > _INJECTED:  # the answer to a copy the proxy sent: keep it, do not forward
                with self._lock:
                    self.stats.replays += parse_produce_response(frame, version)
                pending.pop(corr, None)
                continue
            if api_key == METADATA:
                frame = rewrite_metadata(frame, version, self.ports)
            elif api_key == PRODUCE:
                with self._lock:
                    drop = self._drops_left > 0
                    if drop:
                        self._drops_left -= 1
                        self.stats.dropped_responses += 1
                if drop:  # the write happened; the client never hears of it
                    break
            try:
                _send_frame(client, frame)
            except OSError:
                break
        self._hang_up(client, upstream)

