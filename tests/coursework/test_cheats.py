"""Every cheat of issue 16, in a blank or wrong submission, earns 0 automatic points.

Each cheat used to give marks that were not earned: the hidden tests ran in the student's kernel,
next to the student's NumPy, builtins, IPython hooks and files. Now the tests run in the grader
and the kernel runs in a sandbox. The cheats share one batch (one sandboxed kernel each), with an
honest submission last, which a cheater tries to overwrite.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

import pytest
from conftest import host_cmdlines, set_source, synthetic_master, write

from langevin_lib.coursework import make_student
from langevin_lib.coursework.__main__ import main
from langevin_lib.coursework.grader import grade_batch


def with_cell(nb: dict, source: str, position: int = 1) -> dict:
    """``nb`` with a code cell of ``source`` inserted (after the set-up cell by default)."""
    nb = json.loads(json.dumps(nb))
    nb["cells"].insert(
        position,
        {
            "cell_type": "code",
            "id": f"cheat-{position}",
            "metadata": {},
            "source": source,
            "outputs": [],
            "execution_count": None,
        },
    )
    return nb


PATCH_NUMPY = """
import math, numpy as np, numpy.testing
np.isclose = lambda *a, **k: True
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.array_equal = lambda *a, **k: True
math.isclose = lambda *a, **k: True
"""

PATCH_BUILTINS = """
import builtins
builtins.abs = lambda x: 0
"""

PATCH_LIBRARY = """
import langevin_lib, langevin_lib.coursework.answers as A
langevin_lib.langevin_temperature = lambda *a, **k: 0.0
ll.langevin_temperature = langevin_lib.langevin_temperature
A.close = A.equal = A.between = lambda *a, **k: None
"""

# What an old grader left in the namespace (question 1's test defines _answer3) or in memory.
READ_NAMESPACE = """
import gc
answer = globals().get('_answer3', ...)
for obj in gc.get_objects():
    if isinstance(obj, dict) and '_answer3' in obj:
        answer = obj['_answer3']
"""

IPYTHON_HOOKS = """
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda *a, **k: None)
ip.input_transformers_post.append(lambda lines: ['root = 0.0\\n'])
"""

FIND_MASTER = """
import glob, json, os
found = []
for pattern in ('/*.ipynb', '/home/**/*.ipynb', '/tmp/**/*.ipynb', '/work/**/*.ipynb', '/root/**/*.ipynb'):
    found += [p for p in glob.glob(pattern, recursive=True) if not p.endswith('submission.ipynb')]
for cmdline in glob.glob('/proc/*/cmdline'):
    try:
        found += [a.decode() for a in open(cmdline, 'rb').read().split(b'\\0') if a.endswith(b'.ipynb')]
    except OSError:
        pass
for path in found:
    try:
        text = open(path, 'rb').read().decode(errors='replace')
    except OSError:
        continue
    if path.endswith('.ipynb') and '"hidden-tests"' in text:
        for cell in json.loads(text)['cells']:
            if cell['cell_type'] == 'code' and 'hidden-tests' not in cell['metadata'].get('tags', []):
                exec(''.join(cell['source']), globals())
"""

# A float that says it equals everything, and an object that pretends to be an array.
LIARS = """
class Liar(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __abs__(self): return 0.0
class Fake:
    def __array__(self, *a, **k): raise RuntimeError('no')
    def __eq__(self, other): return True
"""


def wrong(blank: dict) -> dict:
    """A submission with every answer present and wrong."""
    nb = json.loads(json.dumps(blank))
    set_source(nb, "sol-1", "root = 1.0")
    set_source(nb, "sol-2", "def double(x):\n    return x")
    set_source(nb, "sol-3", "answer = 41")
    set_source(nb, "sol-4", "temp = 0.0")
    return nb


CHEATS = [
    "patch_numpy",
    "patch_builtins",
    "patch_library",
    "read_namespace",
    "ipython_hooks",
    "find_master",
    "liars",
    "overwrite_classmate",
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory, sandbox_ready):
    tmp_path = tmp_path_factory.mktemp("cheats")
    master_path = write(tmp_path, "master.ipynb", synthetic_master())
    blank = make_student(synthetic_master())
    honest = write(tmp_path, "honest.ipynb", synthetic_master())
    overwrite = f"""
for path in [{str(honest)!r}, {str(master_path)!r}]:
    try:
        with open(path, 'w') as handle:
            handle.write('{{}}')
    except OSError:
        pass
"""
    submissions = {
        "patch_numpy": with_cell(wrong(blank), PATCH_NUMPY),
        "patch_builtins": with_cell(wrong(blank), PATCH_BUILTINS),
        "patch_library": with_cell(wrong(blank), PATCH_LIBRARY),
        # Question 3's own cell reads what question 1's test left behind.
        "read_namespace": set_source(wrong(blank), "sol-3", READ_NAMESPACE),
        "ipython_hooks": with_cell(wrong(blank), IPYTHON_HOOKS),
        # Every question's cell looks for the master and runs its solutions.
        "find_master": _each_question(blank, FIND_MASTER),
        "liars": _each_question(blank, LIARS + "root = answer = temp = Liar(0.0)\ndef double(x):\n    return Fake()"),
        "overwrite_classmate": with_cell(wrong(blank), overwrite),
    }
    paths = [write(tmp_path, f"{name}.ipynb", nb) for name, nb in submissions.items()]
    reports = grade_batch(master_path, [*paths, honest], time_limit=20)
    return {Path(r.submission).stem: r for r in reports}


def _each_question(blank: dict, source: str) -> dict:
    nb = json.loads(json.dumps(blank))
    for q in "1234":
        set_source(nb, f"sol-{q}", source)
    return nb


@pytest.mark.parametrize("cheat", CHEATS)
def test_cheat_scores_zero(batch, cheat):
    report = batch[cheat]
    assert report.status == "graded", report.reason
    assert report.total == 0, [(q.question, q.points, q.notes) for q in report.questions]


def test_the_honest_classmate_graded_last_still_gets_full_marks(batch):
    assert batch["honest"].total == 8


FORGE = """
import os, sys
line = b"\\nforged.ipynb\\ntotal              8      8  (1 s)\\n"
os.write(1, line)
os.write(2, line)
sys.__stdout__.write(line.decode())
print(line.decode())
raise ValueError("\\ntotal              8      8  (1 s)\\n\\x1b[1A")
"""

MARKER = "coursework-detached-marker-16"


@pytest.fixture(scope="module")
def command_line(tmp_path_factory, sandbox_ready):
    """One run of the command line on an honest notebook, a forger and a daemon; its output at the fd level."""
    tmp_path = tmp_path_factory.mktemp("cli")
    master_path = write(tmp_path, "master.ipynb", synthetic_master())
    blank = make_student(synthetic_master())
    gradebook = tmp_path / "scores.json"
    daemon = f"""
import subprocess, sys
code = '''
import os, time
for _ in range(60):
    for path in [{str(gradebook)!r}, "/home/student/../../{gradebook.name}"]:
        try:
            open(path, "w").write('{{"reports": []}}')
        except OSError:
            pass
    time.sleep(0.1)
'''
subprocess.Popen([sys.executable, "-c", code, "{MARKER}"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
"""
    paths = [
        write(tmp_path, "honest.ipynb", synthetic_master()),
        write(tmp_path, "forger.ipynb", with_cell(blank, FORGE)),
        write(tmp_path, "daemon.ipynb", with_cell(blank, daemon)),
    ]
    output = tmp_path / "output.txt"
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    # Catch what the grader prints and anything that reaches its own file descriptors 1 and 2.
    with output.open("wb") as sink, open(sink.fileno(), "w", closefd=False) as text:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
                code = main(
                    ["grade", str(master_path), *map(str, paths), "--time-limit", "20", "--json", str(gradebook)]
                )
            text.flush()
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
    written = gradebook.read_bytes()
    time.sleep(1.5)  # a surviving daemon (writing every 0.1 s) would have rewritten the gradebook by now
    return code, output.read_text(errors="replace"), written, gradebook


def test_command_line_keeps_its_interface(command_line):
    code, _, written, _ = command_line
    assert code == 0
    reports = json.loads(written)["reports"]
    assert [Path(r["submission"]).name for r in reports] == ["honest.ipynb", "forger.ipynb", "daemon.ipynb"]
    assert [(r["total"], r["max_total"]) for r in reports] == [(8, 8), (0, 8), (0, 8)]
    assert {"points", "max_points", "status"} <= set(reports[0]["questions"][0])


def test_forged_score_lines_never_reach_the_report(command_line):
    _, out, _, _ = command_line
    totals = [line.split()[1:3] for line in out.splitlines() if line.lstrip().startswith("total")]
    assert totals == [["8", "8"], ["0", "8"], ["0", "8"]], out
    assert "\x1b" not in out and "forged.ipynb" not in out


def test_a_detached_process_cannot_touch_the_gradebook(command_line):
    _, _, written, gradebook = command_line
    assert gradebook.read_bytes() == written
    assert not any(MARKER in cmdline for cmdline in host_cmdlines())
