"""A hostile class of 00_welcome submissions, built at test time: each attack is a snippet in an
answer cell, with the grade it must get under the sandbox and without it.

The snippets find their targets (the grading folder, the submissions folder, the course root)
in the environment variable HOSTILE (JSON), set on the grading command: the worst case, an
attacker who knows every path. Each snippet prints ``ATTACK <name>: blocked ...`` or
``ATTACK <name>: SUCCEEDED ...`` in its own output. On this shared machine the attacks on
processes and ports only aim at processes of the same grading run (those whose environment
holds HOSTILE), never at other users of the machine.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from kafkalab.course.answers import fill_answers, solution_answers

ASSIGNMENT = "00_welcome"
SLEEP = "3617"  # the detached sleep's argument, to find it afterwards

_TARGETS = 'import json, os\nT = json.loads(os.environ.get("HOSTILE", "{}"))\n'

_OWN_TREE = '''\
import os, psutil
me = psutil.Process()
own = {me.pid, *(p.pid for p in me.children(recursive=True))}
def of_this_run(p):
    try:
        return "HOSTILE" in p.environ()
    except (psutil.Error, OSError):
        return False
'''

SNIPPETS: dict[str, str] = {
    "overwrite_gradebook": _TARGETS + '''\
from pathlib import Path
hits, tried = [], [Path(T["out"]) / "gradebook.db"]
here = Path.cwd()
for up in [here, *list(here.parents)[:4]]:
    tried += list(up.glob("gradebook.db")) + list(up.glob("*/gradebook.db"))
for path in tried:
    try:
        with open(path, "r+b") as fh:
            fh.write(b"not a database" * 100)
        hits.append(str(path))
    except OSError:
        pass
print(f"ATTACK overwrite_gradebook: {'SUCCEEDED ' + str(hits) if hits else 'blocked'}")
''',
    "kill_jvms": _OWN_TREE + '''\
killed = []
for p in psutil.process_iter(["cmdline"]):
    if p.pid not in own and "kafka.Kafka" in (p.info["cmdline"] or []) and of_this_run(p):
        try:
            p.kill()
            killed.append(p.pid)
        except psutil.Error:
            pass
print(f"ATTACK kill_jvms: {'SUCCEEDED ' + str(killed) if killed else 'blocked'}")
''',
    "read_secrets": _TARGETS + '''\
read = []
for path in (f"{T['out']}/source/00_welcome/00_welcome.ipynb", f"{T['out']}/gradebook.db",
             f"{T['root']}/solutions/00_welcome/00_welcome.ipynb"):
    try:
        with open(path, "rb") as fh:
            if fh.read(100):
                read.append(path)
    except OSError:
        pass
print(f"ATTACK read_secrets: {'SUCCEEDED ' + str(read) if read else 'blocked'}")
''',
    "write_outside": _TARGETS + '''\
written = []
for folder in (T["subs"], f"{T['root']}/solutions", T["root"], "/root", T["out"]):
    try:
        with open(f"{folder}/pwned-{T['tag']}", "w") as fh:
            fh.write("pwned")
        written.append(folder)
    except OSError:
        pass
print(f"ATTACK write_outside: {'SUCCEEDED ' + str(written) if written else 'blocked'}")
''',
    "tcp_neighbour": _OWN_TREE + '''\
import socket, selectors
mine = set()
for p in [me, *me.children(recursive=True)]:
    try:
        mine |= {c.laddr.port for c in p.net_connections("tcp") if c.status == "LISTEN"}
    except psutil.Error:
        pass
theirs = set()
for p in psutil.process_iter():
    if p.pid not in own and of_this_run(p):
        try:
            theirs |= {c.laddr.port for c in p.net_connections("tcp") if c.status == "LISTEN"}
        except psutil.Error:
            pass
# whatever /proc shows, also scan every port on loopback
sel, found = selectors.DefaultSelector(), set()
for start in range(1024, 65536, 512):
    socks = []
    for port in range(start, min(start + 512, 65536)):
        s = socket.socket()
        s.setblocking(False)
        if s.connect_ex(("127.0.0.1", port)) in (0, 115):
            sel.register(s, selectors.EVENT_WRITE, port)
        socks.append(s)
    for key, _ in sel.select(timeout=0.05):
        if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            found.add(key.data)
    for s in socks:
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
reached = sorted((found & theirs) - mine)
print(f"ATTACK tcp_neighbour: {'SUCCEEDED ' + str(reached) if reached else 'blocked'} "
      f"(open on loopback: {len(found)}, mine: {len(mine)})")
''',
    "fork_bomb": '''\
import os, shutil, signal
children, limit = [], 1200  # bounded: the sandbox allows 1024 tasks in all
sleep = shutil.which("sleep") or "/bin/sleep"
for _ in range(limit):
    try:
        children.append(os.posix_spawn(sleep, ["sleep", "60"], dict(os.environ)))
    except OSError:
        break
n = len(children)
for pid in children:
    os.kill(pid, signal.SIGKILL)
for pid in children:
    os.waitpid(pid, 0)
print(f"ATTACK fork_bomb: {'SUCCEEDED' if n >= limit else 'blocked'} ({n} processes)")
''',
    "detached_sleep": f'''\
import subprocess
subprocess.Popen(["sleep", "{SLEEP}"], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("ATTACK detached_sleep: started (the grader must end it)")
''',
}

TRANSFORMER = '''\
get_ipython().input_transformers_post.append(lambda lines: [])  # empties every later cell
'''
SWALLOW = '''\
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
'''
BUILTINS = '''\
import builtins
_isinstance, _len = builtins.isinstance, builtins.len
# true/ten for the empty dict the tests look at, unchanged for everything else (the kernel
# itself keeps working)
builtins.isinstance = lambda o, t: True if t is dict and o == {} else _isinstance(o, t)
builtins.len = lambda o: 10 if _isinstance(o, dict) and o == {} else _len(o)
len = builtins.len  # noqa: E731 - and a global that shadows the builtin
ex1_placed = {}
'''
FAKE_CONSUME = '''\
from kafkalab.clients import Record, crc32_partition
from kafkalab.clients import read_to_end as _real_read_to_end, to_record as _real_to_record
_claims = {}
def produce_keyed(topic, n):  # produces nothing and claims a placement
    placed = {f"user-{i}": (crc32_partition(f"user-{i}", 3), i) for i in range(n)}
    _claims[topic] = placed
    return placed
def read_to_end(config, topic, *args, **kwargs):  # the tests' reader, rebound for its topics
    if topic not in _claims:
        return _real_read_to_end(config, topic, *args, **kwargs)
    return [Record(topic, p, o, k, "event-" + k.split("-")[1], 0, {})
            for k, (p, o) in _claims[topic].items()]
def to_record(msg):  # and the tests' converter
    return msg if isinstance(msg, Record) else _real_to_record(msg)
'''
ALLOC = 'blob = b"x" * (3 * 1024**3)  # 3 GiB, every page written\ndel blob\n'
EXIT = "import os\nos._exit(0)\n"
SEGFAULT = "import ctypes\nctypes.string_at(0)\n"
DEAF = '''\
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)  # ignores the grader's interrupt
while True:
    pass
'''


def _answers(root: Path) -> dict[str, str]:
    return solution_answers(
        nbformat.read(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4))


# name -> (score with the sandbox, score without it); a missing notebook is "no_notebook"
EXPECTED: dict[str, tuple[float, float]] = {
    "overwrite_gradebook": (5, 5), "kill_jvms": (5, 5), "read_secrets": (5, 5),
    "write_outside": (5, 5), "tcp_neighbour": (5, 5), "fork_bomb": (5, 5),
    "detached_sleep": (5, 5), "transformer_skip": (0, 0), "swallow_exceptions": (0, 0),
    "builtins_rebound": (2, 2), "fake_consume": (2, 2), "alloc_3gib": (3, 5),
    "os_exit": (3, 3), "segfault": (3, 3),
    "deaf_loop": (3, 3), "aa_control": (5, 5), "mm_control": (5, 5), "zz_control": (5, 5),
}


def build(root: Path) -> dict[str, NotebookNode]:
    """The notebooks of the hostile class (the controls are plain correct copies)."""
    release = nbformat.read(root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    good = _answers(root)
    ex1, ex2 = good["ex1_answer"], good["ex2_answer"]
    nbs = {name: fill_answers(release, {"ex1_answer": code + "\n" + ex1, "ex2_answer": ex2})
           for name, code in SNIPPETS.items()}
    nbs["transformer_skip"] = fill_answers(release, {"ex1_answer": TRANSFORMER})
    nbs["swallow_exceptions"] = fill_answers(release, {"ex1_answer": SWALLOW})
    nbs["builtins_rebound"] = fill_answers(release, {"ex1_answer": BUILTINS, "ex2_answer": ex2})
    # passes every in-kernel ex1 test; the grader's own reading of the cluster catches it
    nbs["fake_consume"] = fill_answers(release, {"ex1_answer": FAKE_CONSUME, "ex2_answer": ex2})
    for name, code in (("alloc_3gib", ALLOC), ("os_exit", EXIT), ("segfault", SEGFAULT),
                       ("deaf_loop", DEAF)):
        nbs[name] = fill_answers(release, {"ex1_answer": ex1, "ex2_answer": code + "\n" + ex2})
    for name in ("aa_control", "mm_control", "zz_control"):
        nbs[name] = fill_answers(release, good)
    assert set(nbs) == set(EXPECTED)
    return nbs


def write(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    """nbgrader's layout of the class under ``folder``, plus a student with no notebook."""
    from kafkalab.course.paths import find_root

    for student, nb in build(find_root(Path(__file__))).items():
        if student in skip:
            continue
        dest = folder / "submitted" / student / ASSIGNMENT
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest / f"{ASSIGNMENT}.ipynb")
    (folder / "submitted" / "no_notebook" / ASSIGNMENT).mkdir(parents=True)
    (folder / "submitted" / "no_notebook" / ASSIGNMENT / "notes.txt").write_text("sorry")
    return folder / "submitted"


def grade_class(sandbox: str, base: Path, jobs: int = 4, cell_timeout: int = 20,
                skip: tuple[str, ...] = ()) -> dict:
    """Grade the hostile class with ``--sandbox sandbox`` under ``base``; return per student
    (score, status, ATTACK lines) plus what was left behind. Used to make grader/README.md's
    table: ``python tests/grading/hostile.py none|bwrap BASE``."""
    import csv
    import json
    import os
    import subprocess
    import sys

    import psutil

    from kafkalab.course.paths import find_root

    root = find_root(Path(__file__))
    subs = write(base, skip)
    out = base / "out"
    env = {**os.environ, "HOSTILE": json.dumps({"out": str(out), "subs": str(subs),
                                                "root": str(root), "tag": base.name})}
    proc = subprocess.run([sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out),
                           "--quiet", "--timeout", str(cell_timeout), "--jobs", str(jobs),
                           "--sandbox", sandbox], cwd=root, env=env, capture_output=True,
                          text=True)
    table: dict = {}
    if (out / "grades.csv").is_file():
        with open(out / "grades.csv", newline="") as fh:
            for row in csv.DictReader(fh):
                said = []
                path = out / "autograded" / row["student"] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
                if path.is_file():
                    nb = nbformat.read(path, 4)
                    said = [ln for c in nb.cells if c.cell_type == "code"
                            for o in c.get("outputs", [])
                            for ln in o.get("text", "").splitlines() if ln.startswith("ATTACK")]
                table[row["student"]] = (row["score"], row["status"], said, row["reason"][:200])
    left = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if SLEEP in (p.info["cmdline"] or []) or "HOSTILE" in p.environ():
                left.append((p.pid, " ".join(p.info["cmdline"] or [])[:80]))
        except (psutil.Error, OSError):
            pass
    written = [str(p) for p in (subs, root / "solutions", root, Path("/root"), out)
               if (p / f"pwned-{base.name}").exists()]
    return {"exit": proc.returncode, "stderr": proc.stderr[-2000:], "table": table,
            "left": left, "written": written}


if __name__ == "__main__":
    import json
    import sys

    result = grade_class(sys.argv[1], Path(sys.argv[2]), skip=tuple(sys.argv[3:]))
    print(json.dumps(result, indent=1))
