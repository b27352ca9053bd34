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
