"""Sample submissions of 00_welcome, built from the committed release notebook at test time.

Each sample is the student copy with some answer cells filled in (or tests tampered with) and
the exact score nbgrader must give it. Points: ex1 tests 2 + 1, ex2 tests 1 + 1 (5 in total).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from kafkalab.course.answers import fill_answers, solution_answers

ASSIGNMENT = "00_welcome"

# The answer cells only define the functions: the lesson's locked run cells call them.
SIG1 = "def produce_keyed(topic: str, n: int) -> dict[str, tuple[int, int]]:\n"
SIG2 = ("def read_from(topic: str, partition: int, offset: int, max_messages: int) "
        "-> list[tuple[int, str]]:\n")

def _read_body(first_offset: str, seconds: int, before: str = "") -> str:
    """An ex2 answer body that reads from ``first_offset`` (source text) for ``seconds``."""
    return before + f'''\
    consumer = Consumer(cluster.consumer_config(f"x-{{uuid.uuid4().hex[:6]}}"))
    consumer.assign([TopicPartition(topic, partition, {first_offset})])
    out = []
    deadline = time.monotonic() + {seconds}
    while len(out) < max_messages and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None and msg.error() is None:
            out.append((msg.offset(), msg.value().decode()))
    consumer.close()
    return out
'''


EX2_FROM_START = SIG2 + _read_body("0", 10)  # ignores the offset

EX2_LOOP = SIG2 + "    while True:\n        pass\n"
EX2_CRASH = SIG2 + "    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n"
EX2_DELETE = (SIG2 + _read_body("offset", 5, "    cluster.delete_topics(*cluster.topics())\n"))
EX2_KILL = (SIG2 + "    for broker in cluster.brokers:\n        broker.kill()\n    return []\n")
EX2_DEAF_LOOP = SIG2 + '''\
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ignores the grader's interrupt
    while True:
        pass
'''
EX1_FLOOD = SIG1 + '''\
    p = Producer(cluster.producer_config(linger_ms=20))
    for i in range(200_000):  # flood the topic with junk first
        while True:
            try:
                p.produce(topic, value=b"x" * 100)
                break
            except BufferError:
                p.poll(0.05)
    placed = {}

    def report(err, msg):
        if err is None:
            placed[msg.key().decode()] = (msg.partition(), msg.offset())

    for i in range(n):
        p.produce(topic, key=f"user-{i}", value=f"event-{i}", on_delivery=report)
    p.flush(60)
    return placed
'''


def _cell(nb: NotebookNode, grade_id: str) -> NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def _tampered(release: NotebookNode) -> NotebookNode:
    """Blank answers; every test cell neutralised in a different way."""
    nb = copy.deepcopy(release)
    first = _cell(nb, "ex1_messages")
    first.source = "print('all good')"  # edited test
    first.metadata["nbgrader"]["points"] = 100  # and inflated points
    second = _cell(nb, "ex1_fresh_topic")
    second.metadata.pop("nbgrader")  # no longer a test cell
    second.source = "pass"
    third = _cell(nb, "ex2_from_offset")
    third.metadata["nbgrader"]["grade_id"] = "my_own_test"  # renamed
    third.source = "pass"
    nb.cells.remove(_cell(nb, "ex2_other_offset"))  # deleted
    nb.cells.remove(_cell(nb, "stop"))
    return nb


def build(root: Path) -> dict[str, tuple[NotebookNode, float]]:
    """name -> (submitted notebook, expected score)."""
    release = nbformat.read(root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    solution = nbformat.read(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    good = solution_answers(solution)
    ex1 = {"ex1_answer": good["ex1_answer"]}
    return {
        "perfect": (fill_answers(release, good), 5),
        "partly_right": (fill_answers(release, {**ex1, "ex2_answer": EX2_FROM_START}), 3),
        "blank": (copy.deepcopy(release), 0),
        "loops_forever": (fill_answers(release, {**ex1, "ex2_answer": EX2_LOOP}), 3),
        "crashes_kernel": (fill_answers(release, {**ex1, "ex2_answer": EX2_CRASH}), 3),
        "edits_tests": (_tampered(release), 0),
        # the junk fails ex1_messages and ex1_positions; ex1_fresh_topic counts only the new
        # event- records, which the flooding answer does write and report: 1 + ex2 2
        "floods_broker": (fill_answers(release, {**good, "ex1_answer": EX1_FLOOD}), 3),
        "deletes_topics": (fill_answers(release, {**ex1, "ex2_answer": EX2_DELETE}), 3),
        "kills_brokers": (fill_answers(release, {**ex1, "ex2_answer": EX2_KILL}), 3),
    }


def deaf_loop(root: Path) -> NotebookNode:
    """Ex1 right, then a loop that ignores SIGINT: ex1's 3 points, the rest zero."""
    release = nbformat.read(root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    solution = nbformat.read(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    ex1 = solution_answers(solution)["ex1_answer"]
    return fill_answers(release, {"ex1_answer": ex1, "ex2_answer": EX2_DEAF_LOOP})


def write_nbgrader_layout(folder: Path, samples: dict[str, NotebookNode]) -> Path:
    for student, nb in samples.items():
        dest = folder / "submitted" / student / ASSIGNMENT
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest / f"{ASSIGNMENT}.ipynb")
    return folder / "submitted"
