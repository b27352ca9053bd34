"""Pure helpers of lesson 05 (no Kafka)."""

from __future__ import annotations

from types import SimpleNamespace

from kafkalab.lessons import zookeeper as zkl


def test_decode_znode_data() -> None:
    assert zkl.decode(None) is None and zkl.decode(b"") is None
    assert zkl.decode(b'{"brokerid": 2}') == {"brokerid": 2}
    assert zkl.decode(b"7") == 7
    assert zkl.decode(b"not json") == "not json"


def test_plot_timeline_puts_each_event_on_its_lane() -> None:
    import matplotlib

    matplotlib.use("Agg")
    events = [SimpleNamespace(t=0.5, lane="you", label="kill 1"),
              SimpleNamespace(t=0.7, lane="/controller", label="2"),
              SimpleNamespace(t=0.9, lane="/extra", label="x")]
    ax = zkl.plot_timeline(events, ("you", "/controller"))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["you", "/controller", "/extra"]
    assert sorted(t.get_text() for t in ax.texts) == ["2", "kill 1", "x"]


def test_exam_state_tells_znode_reading_from_its_misconceptions() -> None:
    import json

    for seed in range(50):
        s = zkl.exam_state(seed)
        ids = [p.rsplit("/", 1)[1] for p in s.znodes if p.startswith("/brokers/ids/")]
        assert sorted(int(i) for i in ids) == s.brokers
        assert [int(i) for i in sorted(ids)] != s.brokers, "text order must differ from numbers"
        assert not set(s.brokers) & {1, 2, 3}, "ids unlike the real cluster's"
        controller = json.loads(s.znodes["/controller"])["brokerid"]
        assert controller == s.controller != min(s.brokers)
        assert int(s.znodes["/controller_epoch"]) != s.controller
        assignment = json.loads(s.znodes[f"/brokers/topics/{s.topic}"])["partitions"]
        for p, leader in s.leaders.items():
            state = json.loads(s.znodes[f"/brokers/topics/{s.topic}/partitions/{p}/state"])
            assert state["leader"] == leader
            if leader != -1:
                assert assignment[str(p)][0] != leader and state["isr"][0] != leader
                assert leader in s.brokers
        assert -1 in s.leaders.values()
        everyone = {b for r in assignment.values() for b in r}
        assert everyone - set(s.brokers), "a dead broker still holds replicas"
        ephemeral = {p for p in s.znodes if zkl.is_ephemeral(p)}
        assert ephemeral == {"/controller"} | {f"/brokers/ids/{b}" for b in s.brokers}
        assert not any(p.startswith(e + "/") for p in s.znodes for e in ephemeral), \
            "an ephemeral znode cannot have children"
    assert zkl.exam_state(3) == zkl.exam_state(3)
    none = zkl.exam_state(1, with_controller=False)
    assert none.controller is None and "/controller" not in none.znodes


def test_failover_verdict_follows_the_measurements() -> None:
    refuse = zkl.failover_verdict([6.0], [2.0], 6000, 2000)
    assert refuse.startswith("No comparison") and "6000" in refuse and "2000" in refuse
    assert zkl.failover_verdict([], [2.0], 5000, 5000).startswith("No comparison")
    same = zkl.failover_verdict([5.6, 6.4], [5.9, 6.1], 5000, 5000)
    assert "no clear difference" in same
    assert "faster" not in same
    kraft = zkl.failover_verdict([6.5, 6.9], [5.1, 5.3], 5000, 5000)
    assert "Every KRaft round was faster" in kraft and "1.5 s" in kraft
    zk = zkl.failover_verdict([5.2, 5.4], [7.0, 7.5], 5000, 5000)
    assert "Every ZooKeeper mode round was faster" in zk and "two timeouts" not in zk
    two = zkl.failover_verdict([5.5, 5.6], [11.8, 12.0], 6000, 6000)
    assert "Every ZooKeeper mode round was faster" in two and "two timeouts" in two
    assert "two timeouts" not in kraft
    close = zkl.failover_verdict([5.2, 5.3], [5.5, 5.6], 5000, 5000)
    assert "no clear difference" in close  # apart, but by under 0.5 s
