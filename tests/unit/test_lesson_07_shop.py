"""Pure parts of the shop: event folding, deduplication, stock, request models."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kafkalab.lessons.shop import services
from kafkalab.lessons.shop.load import percentile
from kafkalab.lessons.shop.models import Address, CartPatch, OrderIn, ProductPatch
from kafkalab.lessons.shop.topics import decode, encode, event, topic


class FakeCatalog:
    def __init__(self, products: dict) -> None:
        self.products = products

    def get(self, kind: str, key: str) -> dict | None:
        return self.products.get(key)


def placed(oid: str, items: dict | None = None) -> dict:
    return event("order_placed", oid, "gateway", items=items or {"p1": 1}, total=5.0,
                 address={"city": "X"}, accepted_ts=1)


def test_events_round_trip_and_topic_names() -> None:
    ev = placed("o-1")
    assert decode(encode(ev)) == ev
    assert decode(None) is None and encode(None) is None
    assert topic("s", "orders") == "s.orders"
    with pytest.raises(KeyError):
        topic("s", "nope")


def test_apply_event_is_order_independent_and_dedupes() -> None:
    evs = [placed("o-1"), event("reserved", "o-1", "inventory", items={}, total=5.0),
           event("paid", "o-1", "payments", amount=5.0), event("shipped", "o-1", "shipping")]
    forward = None
    for ev in evs:
        forward = services.apply_event(forward, ev)
    backward = None
    for ev in reversed(evs):
        backward = services.apply_event(backward, ev)
    assert forward["status"] == backward["status"] == "shipped"
    assert forward["final"] and backward["items"] == {"p1": 1}
    assert services.apply_event(forward, evs[2]) is None  # duplicate


def test_address_change_refused_after_shipping() -> None:
    doc = services.apply_event(None, placed("o-2"))
    change = event("address_changed", "o-2", "gateway", address={"city": "Y"}, event_id="a1")
    assert services.apply_event(doc, change)["address"]["city"] == "Y"
    shipped = services.apply_event(doc, event("shipped", "o-2", "shipping"))
    late = services.apply_event(shipped, change)
    assert late["address"]["city"] == "X"
    assert late["history"][-1]["type"] == "address_change_refused"


def test_inventory_reserves_rejects_and_dedupes() -> None:
    inv = services.Inventory(FakeCatalog({"p1": {"stock": 3, "price": 1.0}}))
    assert inv.handle("orders", placed("o-1", {"p1": 2}))[0] == "applied"
    assert inv.handle("orders", placed("o-1", {"p1": 2})) == ("duplicate", [])
    result, outs = inv.handle("orders", placed("o-2", {"p1": 2}))
    assert result == "applied" and outs[0][2]["type"] == "rejected"
    assert inv.available("p1") == 1
    # state read back from the ledger gives the same stock
    again = services.Inventory(FakeCatalog({"p1": {"stock": 3, "price": 1.0}}))
    for oid, ev in inv.ledger.items():
        again.load(oid, ev)
        again.load(oid, ev)  # reading twice does not double-count
    assert again.available("p1") == 1


def test_payments_charge_once() -> None:
    pay = services.Payments()
    ev = event("reserved", "o-1", "inventory", items={}, total=9.0)
    assert pay.handle("inventory", ev)[0] == "applied"
    assert pay.handle("inventory", ev)[0] == "duplicate"
    assert pay.handle("inventory", event("rejected", "o-3", "inventory"))[0] == "ignored"
    fresh = services.Payments()
    fresh.load("o-1", {"type": "paid"})
    assert fresh.handle("inventory", ev)[0] == "duplicate"


def test_request_models() -> None:
    addr = {"name": "A", "street": "S", "city": "C", "zip": "1234"}
    assert OrderIn(items={"p": 1}, address=addr).items == {"p": 1}
    for bad in ({"address": addr}, {"items": {"p": 1}, "cart_id": "c", "address": addr},
                {"items": {"p": 0}, "address": addr}, {"items": {}, "address": addr},
                {"items": {"p": 1}, "address": {**addr, "zip": "!"}},
                {"items": {"p": 1}, "address": addr, "extra": 1}):
        with pytest.raises(ValidationError):
            OrderIn(**bad)
    assert CartPatch(items={"p": None}).items == {"p": None}
    assert ProductPatch(price=2.0).model_dump(exclude_unset=True) == {"price": 2.0}
    with pytest.raises(ValidationError):
        ProductPatch(price=-1)


def test_percentile() -> None:
    assert percentile([3, 1, 2], 50) == 2
    assert percentile(list(range(101)), 99) == 99


class FlakyCoordinator:
    """A consumer whose offset lookups fail twice (coordinator moving), then answer."""

    def __init__(self) -> None:
        self.calls = 0

    def committed(self, parts, timeout):  # type: ignore[no-untyped-def]
        from types import SimpleNamespace

        from confluent_kafka import KafkaError, KafkaException

        self.calls += 1
        if self.calls == 1:
            raise KafkaException(KafkaError(KafkaError.NOT_COORDINATOR))
        loading = KafkaError(KafkaError.COORDINATOR_LOAD_IN_PROGRESS) if self.calls == 2 else None
        return [SimpleNamespace(topic=tp.topic, partition=tp.partition, error=loading,
                                offset=7 if tp.partition == 0 else -1001) for tp in parts]


def test_committed_offsets_asks_again_and_starts_uncommitted_at_the_beginning() -> None:
    from confluent_kafka import OFFSET_BEGINNING, TopicPartition

    from kafkalab.clients import committed_offsets

    consumer = FlakyCoordinator()
    got = committed_offsets(consumer, [TopicPartition("t", 0), TopicPartition("t", 1)])  # type: ignore[arg-type]
    assert consumer.calls == 3
    assert [(tp.partition, tp.offset) for tp in got] == [(0, 7), (1, OFFSET_BEGINNING)]


class CatchingUpLeader:
    """A consumer whose partition leader has just moved: it answers OFFSET_NOT_AVAILABLE
    (high watermark not caught up) ``pending`` times, then the watermarks."""

    def __init__(self, pending: int, code: int | None = None) -> None:
        from confluent_kafka import KafkaError

        self.pending, self.calls = pending, 0
        self.code = KafkaError.OFFSET_NOT_AVAILABLE if code is None else code

    def get_watermark_offsets(self, tp, timeout):  # type: ignore[no-untyped-def]
        from confluent_kafka import KafkaError, KafkaException

        self.calls += 1
        if self.calls <= self.pending:
            raise KafkaException(KafkaError(self.code))
        return (2, 9)


def test_watermarks_ask_again_while_the_new_leader_catches_up() -> None:
    from confluent_kafka import KafkaError, KafkaException, TopicPartition

    from kafkalab.clients import watermarks

    leader = CatchingUpLeader(pending=2)
    assert watermarks(leader, TopicPartition("t", 0)) == (2, 9)  # type: ignore[arg-type]
    assert leader.calls == 3
    dropped = CatchingUpLeader(pending=1, code=KafkaError._DESTROY_BROKER)  # broker left metadata
    assert watermarks(dropped, TopicPartition("t", 0)) == (2, 9)  # type: ignore[arg-type]
    with pytest.raises(TimeoutError, match=r"t\[0\].*not caught up|t\[0\].*OFFSET_NOT"):
        watermarks(CatchingUpLeader(pending=1000), TopicPartition("t", 0), timeout=1.0)  # type: ignore[arg-type]
    denied = CatchingUpLeader(pending=1000, code=KafkaError.TOPIC_AUTHORIZATION_FAILED)
    with pytest.raises(KafkaException):  # not a passing state: no retry
        watermarks(denied, TopicPartition("t", 0))  # type: ignore[arg-type]
    assert denied.calls == 1


def test_fetchwatch_reads_assigned_partitions_from_librdkafka_statistics() -> None:
    import json

    from kafkalab.lessons.shop.fetchwatch import partitions

    raw = json.dumps({"topics": {"shop.orders": {"partitions": {
        "0": {"desired": True, "fetch_state": "active", "next_offset": 5, "hi_offset": 5},
        "1": {"desired": True, "fetch_state": "offset-query", "next_offset": -1001},
        "2": {"desired": False, "fetch_state": "none"},
        "-1": {"desired": False}}}}})
    view = partitions(raw, {"shop.orders": "orders"})
    assert sorted(view) == ["orders[0]", "orders[1]"]
    assert view["orders[1]"]["fetch_state"] == "offset-query"


def test_progresswatch_flags_only_partitions_behind_and_not_moving() -> None:
    from kafkalab.lessons.shop.fetchwatch import ProgressWatch

    watch = ProgressWatch(stall_s=10)
    watch.start({("t", 0): 8, ("t", 1): 3, ("t", 2): 5, ("t", 3): -2})  # -2: nothing committed
    ends = {("t", 0): 8, ("t", 1): 9, ("t", 2): 7, ("t", 3): 4}
    assert watch.update(ends, now=0) == []
    assert watch.update(ends, now=9) == []
    assert watch.update(ends, now=11) == [("t", 1), ("t", 2)]
    watch.handled("t", 2, 5, now=11.5)  # it moved: its clock starts again
    assert watch.update(ends, now=12) == []  # busy handling records: no verdict
    assert watch.update(ends, now=17) == [("t", 1)]  # idle for 5.5 s, t[1] still not moving
    assert watch.update({**ends, ("t", 1): None}, now=18) == []  # no answer, no verdict
    watch.reset()
    assert watch.update(ends, now=19) == []
    watch.start({})
    assert watch.keys() == [] and watch.update(ends, now=40) == []


def test_gateway_routers_answer_without_kafka() -> None:
    """The gateway's routers, resolved through the ShopContext dependency: reads of empty tables
    and requests refused before anything is written (no broker is reached)."""
    from fastapi.testclient import TestClient

    from kafkalab.lessons.shop.gateway import create_app

    app = create_app({"bootstrap.servers": "127.0.0.1:9", "log_level": 0}, "unit")
    routes = sorted((path, method.upper()) for path, ops in app.openapi()["paths"].items()
                    for method in ops)
    verbs = {"/health": "GET", "/products": "GET POST", "/products/{pid}": "DELETE GET PATCH PUT",
             "/carts": "POST", "/carts/{cid}": "DELETE GET PATCH PUT", "/orders": "GET POST",
             "/orders/{oid}": "GET", "/orders/{oid}/status": "GET"}
    assert routes == sorted((p, v) for p, vs in verbs.items() for v in vs.split())
    http = TestClient(app)  # no lifespan: the tables stay empty and not ready
    assert http.get("/health").status_code == 503
    assert http.get("/products").json() == []
    assert http.get("/products/p-x").status_code == 404
    assert http.get("/orders/o-x/status").status_code == 404
    order = {"items": {"p-x": 1}, "address": {"name": "A", "street": "S", "city": "C",
                                              "zip": "1234"}}
    r = http.post("/orders", json=order)
    assert r.status_code == 422 and "p-x" in r.json()["detail"]
    app.state.shop.publisher.close(0.1)


def test_cli_main_without_a_shop(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from kafkalab.lessons.shop import cli

    monkeypatch.setattr(cli, "state_file", lambda: tmp_path / "shop.json")
    assert cli.main(["status"]) == 0
    assert "No shop is up" in capsys.readouterr().out
    assert cli.main(["down"]) == 0


def test_charges_verdict_every_branch() -> None:
    from kafkalab.lessons.shop.verdicts import charges_verdict

    assert "idempotent" in charges_verdict(150, 0, 0, 40)
    assert "failed" in charges_verdict(150, 3, 0, 40)
    twice = charges_verdict(150, 0, 12, 40)
    assert "12 order(s) more than once" in twice and "not the charge" in twice
    assert "no order was charged twice" in charges_verdict(150, 0, 0, 40)
    assert "tested neither" in charges_verdict(150, 0, 0, 0)


def test_warmup_verdict_every_branch() -> None:
    from kafkalab.lessons.shop.verdicts import warmup_verdict

    assert "start-up work" in warmup_verdict(4100, [120, 130, 900])
    assert "median 130 ms" in warmup_verdict(4100, [120, 130, 900])
    assert "were warm" in warmup_verdict(150, [120, 130, 140])
    assert "no later order" in warmup_verdict(150, [])


def test_replica_verdict_every_branch() -> None:
    from kafkalab.lessons.shop.verdicts import replica_verdict

    assert "404 at first" in replica_verdict(True, 0.31)
    assert "at once" in replica_verdict(False, 0.0)
    assert "never" in replica_verdict(True, None)


def test_not_json_is_400_and_invalid_json_is_422() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kafkalab.lessons.shop.models import not_json_is_400

    app = FastAPI()
    not_json_is_400(app)

    @app.patch("/x")
    def patch(body: Address) -> dict:
        return {}

    client = TestClient(app)
    assert client.patch("/x", content=b"not json",
                        headers={"content-type": "application/json"}).status_code == 400
    assert client.patch("/x", json={"name": 1}).status_code == 422
    assert client.patch("/x", json={}).status_code == 422


def test_fraudrun_signature_check() -> None:
    from kafkalab.lessons.shop.fraudrun import check_signature, run_in_process

    def good(config, group_id, source, passed, review, limit, max_messages, timeout=20.0):
        return 0

    def bad(config, source):
        return 0

    check_signature(good)
    with pytest.raises(TypeError, match="must take"):
        check_signature(bad)
    with pytest.raises(TypeError, match="must be a function"):
        check_signature(3)
    with pytest.raises(ValueError, match="not one of"):  # a crash point the lesson does not use
        run_in_process(good, [], Path("unused"), crash=("produce", 1))


def test_restart_run_problems_name_each_failure() -> None:
    from collections import Counter

    from kafkalab.clients.crashpoints import Outcome
    from kafkalab.lessons.shop.exercises import RestartRun

    stream = [{"order_id": f"o{i}", "total": t} for i, t in enumerate((10, 500, 20))]

    def run(first: Outcome, second: Outcome, ok: Counter, rev: Counter, committed: int = 1
            ) -> list[str]:
        return RestartRun(stream, first, second, 2, committed, ok, rev, {"o0", "o2"},
                          {"o1"}).problems()

    killed, two = Outcome(None, True, ""), Outcome(2, False, "")
    assert run(killed, two, Counter(o0=1, o2=1), Counter(o1=1)) == []
    assert "returned 5" in run(Outcome(5, False, ""), Outcome(1, False, ""), Counter(o0=1, o2=1),
                               Counter(o1=1), committed=2)[0]
    assert "second call returned 1" in run(killed, Outcome(1, False, ""), Counter(o0=1, o2=1),
                                           Counter(o1=1))[0]
    assert "reached neither" in run(killed, two, Counter(o0=1), Counter(o1=1))[0]
    assert "wrong topic" in run(killed, two, Counter(o0=1, o2=1, o1=1), Counter())[0]
    assert "more than once" in run(killed, two, Counter(o0=2, o2=1), Counter(o1=1))[0]
    assert "failed in its own process" in run(Outcome(None, False, "NameError: x"), two,
                                              Counter(), Counter())[0]

    def late(**kw: object) -> list[str]:
        return RestartRun(stream, killed, two, 2, 1, Counter(o0=1, o2=1), Counter(o1=1),
                          {"o0", "o2"}, {"o1"}, **kw).problems()  # type: ignore[arg-type]

    assert late(lag={0: 0, 1: 0}, idle=Outcome(0, False, "")) == []
    assert "next offset to read" in late(lag={0: 1, 1: 0})[0]
    assert "value other than" in late(changed=2)[0]
    assert "stop at timeout" in late(idle=Outcome(None, False, "still running after 23 s"))[0]
    assert "should handle none, it returned 3" in late(idle=Outcome(3, False, ""))[0]


def test_compare_verdict_every_branch() -> None:
    from kafkalab.lessons.shop.verdicts import compare_verdict

    assert "lost" in compare_verdict(10, 100, 0, 100, 99)
    assert "patience" in compare_verdict(10, 100, 2, 98, 98)
    assert "only time" in compare_verdict(10, 100, 0, 100, 100)
    assert "neither" in compare_verdict(0, 100, 0, 100, 100)


def test_graded_helpers_keep_librdkafka_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """nbgrader scores any stderr line of a graded cell as a failure: the kernel-side clients
    of exercise 1's tests must not log."""
    from kafkalab.lessons.shop import exercises

    seen: list[dict] = []
    monkeypatch.setattr(exercises, "read_to_end", lambda cfg, *a: seen.append(cfg) or [])
    monkeypatch.setattr(exercises, "produce", lambda cfg, *a, **k: seen.append(cfg))
    exercises.read_all({"bootstrap.servers": "x"}, ["t"])
    exercises.replay({"bootstrap.servers": "x"}, "t", exercises.order_stream(2, 1))
    assert [c.get("log_level") for c in seen] == [0, 0]
