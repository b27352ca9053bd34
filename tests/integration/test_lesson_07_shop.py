"""The shop end to end: real brokers, real service processes, real HTTP.

REST semantics against the running gateway, then the chaos test: 1,000 orders while each
service is SIGKILLed once and one broker once; every accepted order must reach a final state
exactly once, as the REST API shows it.
"""

from __future__ import annotations

import importlib.util
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kafkalab.lessons.shop import KAFKA_SERVICES, Shop
from kafkalab.lessons.shop.exercises import restart_run
from kafkalab.lessons.shop.load import ADDRESS, burst, wait_final


@pytest.fixture(scope="module")
def shop(cluster3) -> Iterator[Shop]:
    with Shop(cluster3, delays={"payments": 0.002}, replicas={"payments": 2}) as s:
        yield s


@pytest.fixture
def http(shop: Shop) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop.url, timeout=30) as client:
        yield client


def eventually(fn, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_products_verbs(http: httpx.Client) -> None:
    r = http.post("/products", json={"name": "Lamp", "price": 9.5, "stock": 5})
    assert r.status_code == 201
    loc = r.headers["location"]
    assert http.get(loc).json()["name"] == "Lamp"
    r = http.patch(loc, json={"price": 8.0})
    assert r.status_code == 200 and r.json() == {**r.json(), "name": "Lamp", "price": 8.0}
    assert http.get(loc).json()["stock"] == 5  # PATCH kept the other fields
    r = http.put(loc, json={"name": "Desk lamp", "price": 12.0, "stock": 7})
    assert r.status_code == 200 and http.get(loc).json()["name"] == "Desk lamp"
    assert http.put(loc, json={"name": "Desk lamp"}).status_code == 422  # PUT needs it whole
    assert http.patch(loc, json={}).status_code == 422
    assert http.patch(loc, json={"price": -1}).status_code == 422
    # one rule (RFC 9110): a body that is not JSON is 400, JSON that does not fit is 422
    assert http.patch(loc, content=b"{price", headers={"content-type": "application/json"}
                      ).status_code == 400
    assert http.patch("/products/p-none", json={"price": 1}).status_code == 404
    r = http.put("/products/p-new", json={"name": "New", "price": 1.0, "stock": 1})
    assert r.status_code == 201 and r.headers["location"] == "/products/p-new"
    assert http.delete(loc).status_code == 204
    assert http.get(loc).status_code == 404
    assert http.delete(loc).status_code == 404


def test_carts_and_orders(http: httpx.Client, shop: Shop) -> None:
    r = http.post("/carts", json={"items": {"p-mug": 1}})
    assert r.status_code == 201
    cart = r.headers["location"]
    r = http.patch(cart, json={"items": {"p-tee": 2, "p-mug": None}})
    assert r.json()["items"] == {"p-tee": 2}
    assert http.patch(cart, json={"items": {"p-unknown": 1}}).status_code == 422
    r = http.put(cart, json={"items": {"p-book": 1}})
    assert r.status_code == 200 and http.get(cart).json()["items"] == {"p-book": 1}
    empty = http.post("/carts", json={}).headers["location"]
    cid = empty.rsplit("/", 1)[1]
    assert http.post("/orders", json={"cart_id": cid, "address": ADDRESS}).status_code == 409
    assert http.post("/orders", json={"cart_id": "c-none", "address": ADDRESS}).status_code == 404
    assert http.post("/orders", json={"items": {"p-mug": 1}}).status_code == 422
    assert http.post("/orders", json={"items": {"p-mug": "many"},
                                      "address": ADDRESS}).status_code == 422
    r = http.post("/orders", json={"cart_id": cart.rsplit("/", 1)[1], "address": ADDRESS})
    assert r.status_code == 201
    order = r.headers["location"]
    assert http.get(cart).status_code == 404  # checked out
    done = eventually(lambda: http.get(f"{order}/status").json()["final"])
    assert done, http.get(order).json()
    assert http.get(f"{order}/status").json()["status"] == "shipped"
    assert http.get("/orders/o-none").status_code == 404
    assert http.delete(empty).status_code == 204
    assert http.delete(order).status_code == 405
    spec = http.get("/openapi.json").json()
    assert {"/products/{pid}", "/carts/{cid}", "/orders", "/orders/{oid}"} <= set(spec["paths"])
    assert http.get("/docs").status_code == 200


def test_chaos_every_accepted_order_final_exactly_once(shop: Shop, cluster3) -> None:
    order, step = list(KAFKA_SERVICES), 4.0
    actions = {}
    for k, role in enumerate(order):  # each service killed once, restarted 1.5 s later
        actions[1.0 + k * step] = (lambda r=role: shop.kill(r))
        actions[2.5 + k * step] = (lambda r=role: shop.restart(r))
    actions[6.0] = lambda: cluster3.broker(2).kill()
    actions[12.0] = lambda: cluster3.broker(2).start()
    try:  # 1,000 orders from 16 clients, as fast as the shop answers
        rows = burst(shop.url, 1000, concurrency=16, timeout=60, actions=actions)
    finally:
        if not cluster3.broker(2).running:
            cluster3.broker(2).start()
    statuses = Counter(r["status"] for r in rows)
    accepted = [r["order_id"] for r in rows if r["status"] == 201]
    assert len(rows) == 1000
    assert len(accepted) == len(rows), (statuses, Counter(r.get("error") for r in rows))
    docs = wait_final(shop.url, accepted, timeout=150, progress=False)
    assert len(docs) == len(accepted), f"{len(accepted) - len(docs)} accepted orders not final"
    for doc in docs.values():
        ids = [h["id"] for h in doc["history"]]
        assert len(ids) == len(set(ids)), doc
        finals = [h for h in doc["history"] if h["type"] in ("shipped", "rejected")]
        assert len(finals) == 1, doc
    # inventory applied each reservation once: available = supplied - reserved by shipped orders
    everything = httpx.get(f"{shop.url}/orders", params={"detail": "true"}, timeout=30).json()
    reserved: Counter = Counter()
    for doc in everything:
        if doc["status"] == "shipped":
            reserved.update(doc["items"])
    for pid, qty in reserved.items():
        product = httpx.get(f"{shop.url}/products/{pid}").json()
        assert eventually(lambda p=pid, q=qty, s=product["stock"]: httpx.get(
            f"{shop.url}/products/{p}").json()["available"] == s - q, 20), (pid, qty, product)
    # the card processor's ledger: every shipped order was charged at least once
    charges = shop.charge_attempts()
    assert all(charges[d["order_id"]] >= 1 for d in docs.values() if d["status"] == "shipped")
    restarted = {role: shop.health(role) for role in KAFKA_SERVICES}
    print({r: sum(h.get("duplicate", 0) for h in hs) for r, hs in restarted.items()})


def test_no_orphans_when_the_parent_is_sigkilled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A kernel killed with SIGKILL takes every shop process with it (procs.Child: the reaper)."""
    import json
    import os
    import signal
    import subprocess
    import sys

    import psutil

    script = tmp_path / "parent.py"
    script.write_text(
        "import json, threading, time\n"
        "from kafkalab.lessons.shop import Shop\n"
        "shop = Shop(mode='sync')\n"
        "t = threading.Thread(target=shop.start)  # started from a thread that then ends\n"
        "t.start(); t.join()\n"
        "time.sleep(1); shop.wait_healthy()\n"
        "print(json.dumps([p['pid'] for p in shop.status()]), flush=True)\n"
        "time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = json.loads(parent.stdout.readline())
        assert len(pids) == 5 and all(psutil.pid_exists(p) for p in pids)
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    alive = pids
    deadline = time.monotonic() + 15
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.2)
    assert not alive, f"shop processes outlived their parent: {alive}"


def test_assignment_while_the_group_coordinator_is_down_resumes_at_committed_offsets(
        cluster3) -> None:
    """The workers' on-assign lookup: a member that joins while its group's coordinator is
    dead still starts every partition, each at the group's committed offset."""
    import threading
    import uuid

    from confluent_kafka import Consumer, TopicPartition

    from kafkalab.backends.properties import COMMON
    from kafkalab.clients import committed_offsets

    def offsets_partition(group_id: str) -> int:  # Kafka: abs(groupId.hashCode()) % partitions
        h = 0
        for ch in group_id:
            h = (31 * h + ord(ch)) & 0xFFFFFFFF
        return (h & 0x7FFFFFFF) % int(COMMON["offsets.topic.num.partitions"])

    cfg = cluster3.client_config()
    name = cluster3.create_topic(prefix="assign", partitions=3, replication_factor=3)
    producer = cluster3.producer()
    for i in range(30):
        producer.produce(name, value=str(i).encode(), partition=i % 3)
    assert producer.flush(30) == 0
    group = f"assign-{uuid.uuid4().hex[:8]}"
    first = Consumer({**cfg, "group.id": group, "enable.auto.commit": False})
    first.commit(offsets=[TopicPartition(name, p, 4) for p in range(3)], asynchronous=False)
    first.close()
    victim = cluster3.leader("__consumer_offsets", offsets_partition(group))  # its coordinator
    cluster3.broker(victim).kill()
    comeback = threading.Timer(3.0, lambda: cluster3.broker(victim).start(wait=False))
    consumer = Consumer({**cfg, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "latest", "session.timeout.ms": 6000})
    consumer.subscribe([name], on_assign=lambda c, parts: c.assign(committed_offsets(c, parts)))
    got: dict[int, list[int]] = {0: [], 1: [], 2: []}
    try:
        comeback.start()
        deadline = time.monotonic() + 90
        while sum(map(len, got.values())) < 18 and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                got[msg.partition()].append(msg.offset())
    finally:
        consumer.close()
        comeback.join()
        cluster3.wait_until_brokers(3, timeout=60)
    assert got == {p: list(range(4, 10)) for p in range(3)}, got


ANSWERS = Path(__file__).parents[1] / "grading" / "answers" / "07_microservices_rest_kafka"


def _answer(name: str):  # type: ignore[no-untyped-def]
    """Exercise 1's answer fixture ``name`` as a function whose source the harness can read
    (imported from its file; the names it uses come with the harness's prelude)."""
    spec = importlib.util.spec_from_file_location(f"answer_{name}", ANSWERS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fraud_check


def test_fraud_check_crash_harness_tells_the_skill_from_the_misconception(cluster3,
                                                                          tmp_path) -> None:
    """Exercise 1's harness: the function runs in fresh processes, the first one SIGKILLed
    right after its first commit (the correct answer commits once per batch); committing after
    the acknowledged output loses nothing, committing before producing loses the order in
    flight, every time."""
    good = restart_run(cluster3, _answer("correct_batches"), 12, 2, 250.0, 6,
                       crash=("commit", 1), folder=tmp_path)
    assert good.first.crashed and not good.problems(), good.problems()
    bad = restart_run(cluster3, _answer("commit_before_produce"), 12, 2, 250.0, 6,
                      crash=("commit", 1), folder=tmp_path)
    assert bad.first.crashed
    assert any("reached neither" in p for p in bad.problems()), bad.problems()


def test_fraud_check_harness_checks_offsets_timeout_and_transactions(cluster3, tmp_path) -> None:
    """The committed offsets must reach the end of every partition (committing a record's own
    offset leaves one record per partition behind), a last call with nothing left returns 0 at
    its timeout, and a transactional answer (its output partitions end with commit markers) is
    read back without timing out."""
    txn = restart_run(cluster3, _answer("correct_transactions"), 12, 4, 250.0, 6,
                      crash=("consume", 4), folder=tmp_path, idle_call=True)
    assert txn.first.crashed and not txn.problems(), txn.problems()
    assert txn.idle is not None and txn.idle.returned == 0
    off = restart_run(cluster3, _answer("commit_offset_not_plus_one"), 12, 4, 250.0, 6,
                      crash=("commit", 2), folder=tmp_path)
    assert any("next offset to read" in p for p in off.problems()), off.problems()
