"""Pure parts of lesson 04 (no Kafka): counting moved partitions, drawing owners, and reading a
worker's processed-records file; a worker process is a procs.Child."""

from __future__ import annotations

import sys
from pathlib import Path

from kafkalab.lessons import consumers as cl
from kafkalab.procs import Child


def test_moves_counts_partitions_that_changed_owner() -> None:
    steps = [("c1 joins", {"c1": [0, 1, 2]}, 1.0),
             ("c2 joins", {"c1": [0, 1], "c2": [2]}, 1.0),
             ("c1 leaves", {"c2": [0, 1, 2]}, 1.0)]
    assert cl.moves(steps) == [3, 1, 2]


def test_plot_assignments_labels_owners_and_idle_members() -> None:
    import matplotlib

    matplotlib.use("Agg")
    steps = [("two", {"c1": [0], "c2": [1]}, 0.5), ("three", {"c1": [0], "c2": [1], "c3": []}, 1.5)]
    ax = cl.plot_assignments(steps, partitions=2)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("c1") == 2 and "1.5 s; idle: c3" in texts


def test_worker_reads_its_file_and_is_a_child(tmp_path: Path) -> None:
    out = tmp_path / "w.txt"
    out.write_text("0 5 job-1\n2 7 job with spaces\nhalf-written")
    child = Child([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "w.err")
    worker = cl.Worker(child, out, tmp_path / "w.stop")
    assert worker.pid == child.pid
    assert worker.processed() == [(0, 5, "job-1"), (2, 7, "job with spaces")]
    worker.kill()
    assert not child.running
    assert worker.error() == ""


def test_crash_story_says_whether_the_group_had_committed_past_the_record() -> None:
    base = dict(messages=100, per_worker={"w1": 10, "w2": 90}, killed="w1", missing=0,
                duplicates=0, committed_to_end=True, errors="")
    assert cl.PoolResult(**{**base, "killed": ""}).crash_story() == (
        "no worker reached the crash point")
    past = cl.PoolResult(**base, crash={"partition": 2, "offset": 7, "committed": 12}).crash_story()
    assert "already committed offset 12" in past and "from 7 to 11" in past
    not_past = cl.PoolResult(**base, crash={"partition": 2, "offset": 7, "committed": 7})
    assert "committed offset was 7, not past it" in not_past.crash_story()
    none = cl.PoolResult(**base, crash={"partition": 0, "offset": 0, "committed": -1001})
    assert "none yet" in none.crash_story()


def test_only_one_worker_claims_the_crash(tmp_path: Path) -> None:
    from kafkalab.lessons.consumers.workers import _claim

    token = tmp_path / "crash.json"
    assert _claim(token) and not _claim(token) and not _claim(token)


# ---- the broker-loss section: arithmetic and sentences, with made-up measurements --------------
def test_longest_gaps_counts_the_edges_and_only_the_window() -> None:
    deliveries = [(0.1, 0), (0.2, 0), (3.2, 0), (3.3, 0), (0.5, 1), (9.0, 1), (0.15, 2)]
    gaps = cl.longest_gaps(deliveries, range(3), start=0.0, end=4.0)
    assert round(gaps[0], 6) == 3.0  # between 0.2 and 3.2
    assert round(gaps[1], 6) == 3.5  # from 0.5 to the window's end (9.0 is outside)
    assert round(gaps[2], 6) == 3.85
    assert cl.longest_gaps([], [0], 1.0, 2.5) == {0: 1.5}  # nothing read: the whole window


def test_per_bin_counts_records_per_window() -> None:
    assert cl.per_bin([0.0, 0.05, 0.15, 0.31, 0.4, 7.0], 0.1, 0.4) == [2, 1, 0, 1, 1]


def test_delivery_counts_lost_and_duplicates() -> None:
    assert cl.delivery_counts([1, 2, 3, 4], [1, 2, 2, 3, 3, 3]) == (1, 3)
    assert cl.delivery_counts([1, 2], [1, 2]) == (0, 0)


def test_coordinator_partition_is_javas_string_hash() -> None:
    from kafkalab.lessons.consumers.brokerloss import coordinator_partition

    assert coordinator_partition("test", 10**9) == 3556498  # "test".hashCode()
    assert coordinator_partition("hello world", 10**9) == 794106052  # 1794106052 % 10**9
    assert coordinator_partition("polygenelubricants", 7) == 0  # hashCode is Integer.MIN_VALUE
    assert coordinator_partition("survivors-x", 50) in range(50)


def test_election_story_names_who_elected_the_leaders() -> None:
    before, after = {0: 2, 1: 3, 2: 1}, {0: 3, 1: 3, 2: 1}
    plain = cl.election_story(2, 1, 1, before, after)
    assert "partition 0 -> broker 3" in plain and "active controller, broker 1" in plain
    assert "fenced broker 2" in plain
    both = cl.election_story(2, 2, 3, before, after)
    assert "was also the active controller" in both and "elected broker 3" in both
    assert "could not be read" in cl.election_story(2, None, None, before, after)
    assert "no new leader" in cl.election_story(2, 1, 1, before, {0: -1, 1: 3, 2: 1})
    assert "led no partition" in cl.election_story(4, 1, 1, before, after)


def test_survival_verdict_follows_the_measurement() -> None:
    lost = cl.survival_verdict(lost=3, duplicates=0, resumed_after=2.0, gap=2.5, bound=6.0,
                               rebalances=0, moved=0)
    assert lost.startswith("**3 acknowledged records were never consumed")
    stuck = cl.survival_verdict(0, 0, None, 30.0, 6.0, 0, 0)
    assert "did not resume" in stuck
    clean = cl.survival_verdict(0, 0, 2.4, 2.6, 6.0, 0, 0)
    assert "No acknowledged record was lost" in clean and "2.4 s after the kill" in clean
    assert "within the 6.0 s expected" in clean and "did not rebalance" in clean
    slow = cl.survival_verdict(0, 0, 7.5, 7.6, 6.0, 0, 0)
    assert "longer than the 6.0 s expected" in slow
    handed_back = cl.survival_verdict(0, 0, 2.4, 2.6, 6.0, 3, 0)
    assert "No record was read twice" in handed_back and "3 new assignments, 0 partitions" \
        in handed_back and "committed offset equal to where reading had stopped" in handed_back
    moved = cl.survival_verdict(0, 40, 2.4, 2.6, 6.0, 2, 1)
    assert "40 records were read twice" in moved and "2 new assignments, 1 partition changing" \
        in moved and "at-least-once" in moved
    reset = cl.survival_verdict(0, 5, 2.4, 2.6, 6.0, 0, 0)
    assert "without a rebalance" in reset


def test_owner_changes_counts_partitions_handed_to_another_member() -> None:
    start = [(0.0, "c1", [0]), (0.0, "c2", [1]), (0.0, "c3", [2])]
    assert cl.owner_changes(start) == 0
    assert cl.owner_changes(start + [(3.0, "c1", [0]), (3.0, "c2", [1])]) == 0  # handed back
    assert cl.owner_changes(start + [(3.0, "c1", [0, 1]), (3.1, "c2", [2])]) == 2


def _loss(**changes) -> cl.BrokerLoss:
    base = dict(topic="t", group="g", partitions=3, victim=2, coordinator_before=2,
                coordinator_after=3, controller_before=1, controller_after=1,
                leaders_before={0: 2, 1: 3, 2: 1}, leaders_after={0: 3, 1: 3, 2: 1},
                session_timeout_ms=2000, kill_at=1.0, elected_at=3.0, produced=[0, 1, 2, 3],
                failed=0, commit_errors=1, end=5.0, seconds=9.0,
                assignments=[(0.0, "c1", [0]), (0.0, "c2", [1]), (0.0, "c3", [2])],
                deliveries=[cl.Delivery(0.5, 0, 0, 0, "c1"), cl.Delivery(0.6, 1, 0, 1, "c2"),
                            cl.Delivery(3.5, 0, 1, 3, "c1"), cl.Delivery(0.7, 2, 0, 2, "c3"),
                            cl.Delivery(3.6, 0, 1, 3, "c1")])
    return cl.BrokerLoss(**{**base, **changes})


def test_broker_loss_result_derives_its_figures() -> None:
    r = _loss()
    assert r.affected == [0]
    assert r.roles == ["leader of partition 0", "the group's coordinator"]
    assert (r.lost, r.duplicates) == (0, 1)
    assert round(r.gap, 6) == 3.0  # partition 0: nothing between 0.5 and 3.5
    assert round(r.resumed_after(), 6) == 2.5  # the record at 3.5 after the silence
    early = _loss(deliveries=[*r.deliveries, cl.Delivery(1.05, 0, 1, 9, "c1")])
    assert round(early.resumed_after(), 6) == 2.5  # a record fetched before the kill, read after
    assert (r.rebalances, r.moved) == (0, 0)
    again = _loss(assignments=[*r.assignments, (3.0, "c1", [0, 1]), (3.0, "c2", [2])])
    assert (again.rebalances, again.moved) == (2, 2)
    assert _loss(deliveries=[cl.Delivery(0.5, 0, 0, 0, "c1")]).resumed_after() is None
    assert sum(r.rates(0.5)[0]) == 3
    assert "the active controller" in _loss(controller_before=2).roles


def test_plot_broker_loss_marks_the_kill() -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = cl.plot_broker_loss(_loss())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "broker 2 killed" in labels and "partition 0 (led by broker 2)" in labels


def test_expected_gap_follows_the_brokers_session_timeout() -> None:
    assert _loss().expected_gap == 5.0
    assert _loss(session_timeout_ms=None).expected_gap == 12.0  # Kafka's default, 9 s
