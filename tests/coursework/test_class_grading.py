"""A small class graded for real: gradebook, the same bytes serially, with -j 2 and on Dask, manual scores, feedback.

The master is the synthetic one plus a question whose expected value (8675.309) is distinctive, and
whose second hidden test raises a plain AssertionError quoting it: the instructor sees it in the
notes, a student must never see it, nor any line of a hidden test. The class is graded once per
way (four sandboxed kernels each) in a module-scoped fixture; the other tests read the results.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import VOCABULARY, set_source, synthetic_master, write
from distributed import LocalCluster
from nbformat.v4 import new_code_cell

from langevin_lib.coursework import make_student
from langevin_lib.coursework.__main__ import main
from langevin_lib.coursework.feedback import write_feedback
from langevin_lib.coursework.gradebook import Gradebook, csv_path
from langevin_lib.coursework.manual import manual_sheet

SECRET = "8675.309"
SECRET_TEST = "assert abs(_got - _secret_expected) < 1e-9, f'magic should be {_secret_expected}'"


def leak_master() -> dict:
    nb = synthetic_master()
    nb["cells"][-1:-1] = [
        new_code_cell(
            f"# BEGIN SOLUTION\nmagic = {SECRET}\n# END SOLUTION",
            id="sol-6",
            metadata={"coursework": {"question": "6"}, "tags": ["solution"]},
        ),
        new_code_cell(
            VOCABULARY + f"_secret_expected = {SECRET}\nclose(value('magic'), _secret_expected, 'magic')",
            id="hid-6a",
            metadata={"coursework": {"question": "6", "points": 1}, "tags": ["hidden-tests"]},
        ),
        new_code_cell(
            VOCABULARY + f"_got = value('magic')\n{SECRET_TEST}",
            id="hid-6b",
            metadata={"coursework": {"question": "6", "points": 1}, "tags": ["hidden-tests"]},
        ),
    ]
    return nb


def hidden_lines(master: dict) -> list[str]:
    """Every line of the master's hidden tests, as an instructor would grep for it."""
    lines = []
    for cell in master["cells"]:
        if "hidden-tests" in cell["metadata"].get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            lines += [line.strip() for line in source.splitlines() if len(line.strip()) >= 12]
    return lines


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox_ready):
    """The class graded serially, with -j 2 and (if installed) on a local Dask cluster; the folder."""
    root = tmp_path_factory.mktemp("class")
    master = leak_master()
    (root / "master.ipynb").write_text(json.dumps(master))
    subs = root / "subs"
    subs.mkdir()
    carol = json.loads(json.dumps(master))
    set_source(carol, "sol-2", "def double(x):\n    return 3 * x")
    set_source(carol, "sol-6", "magic = 1.0")
    set_source(carol, "written", "The noise <script>averages</script>\n\nout [here](http://x).")
    carol["cells"].insert(1, new_code_cell("raise ValueError('<b>bold</b> [x](http://y)')", id="setup-bug"))
    write(subs, "alice_1.ipynb", master)
    write(subs, "bob_2.ipynb", make_student(master))
    write(subs, "carol_3.ipynb", carol)
    write(subs, "dave_4.ipynb", b"{not json")
    files = sorted(str(p) for p in subs.iterdir())
    pattern = r"(?P<id>[a-z]+)_\d\.ipynb"
    ways = {"serial": [], "parallel": ["-j", "2"]}
    # A worker process, as on a real cluster: its threads hold no state of this test process (an
    # in-process cluster ran the grader on a thread whose asyncio state earlier tests had touched).
    cluster = LocalCluster(processes=True, n_workers=1, threads_per_worker=2, dashboard_address=":0")
    ways["dask"] = ["--dask-scheduler", cluster.scheduler_address]
    codes = {}
    try:
        for way, options in ways.items():
            book = root / f"{way}.json"
            command = ["grade", str(root / "master.ipynb"), *files, "--gradebook", str(book), "--id-pattern", pattern]
            codes[way] = main([*command, "--time-limit", "30", *options])
    finally:
        cluster.close()
    return root, codes


def test_every_way_writes_the_same_gradebook(graded):
    root, codes = graded
    assert set(codes.values()) == {1}  # dave's file is refused, the others graded
    serial = (root / "serial.json").read_bytes(), csv_path(root / "serial.json").read_bytes()
    assert ((root / "parallel.json").read_bytes(), csv_path(root / "parallel.json").read_bytes()) == serial
    if "dask" not in codes:
        pytest.skip("distributed is not installed (pip install 'langevin-lib[cluster]')")
    assert ((root / "dask.json").read_bytes(), csv_path(root / "dask.json").read_bytes()) == serial


def test_the_gradebook_has_one_row_per_student_with_the_points(graded):
    root, _ = graded
    table = list(csv.DictReader(io.StringIO(csv_path(root / "serial.json").read_text())))
    assert [(r["student"], r["status"], r["total"], r["max_total"], r["ungraded"]) for r in table] == [
        ("alice", "graded", "10", "12", "1"),
        ("bob", "graded", "0", "12", "1"),
        ("carol", "graded", "5", "12", "1"),  # questions 1, 3 and 4
        ("dave", "refused", "0", "12", "1"),
    ]
    assert [table[2][q] for q in ("1", "2", "3", "4", "6", "5 (written)")] == ["2", "0", "1", "2", "0", ""]


def test_the_written_answers_are_on_the_manual_sheet(graded):
    root, _ = graded
    rows = list(csv.DictReader(io.StringIO(manual_sheet(Gradebook.load(root / "serial.json")).decode("utf-8-sig"))))
    answers = {row["student"]: row["answer"] for row in rows}
    assert answers["carol"] == "The noise <script>averages</script>\n\nout [here](http://x)."
    assert "Because." in answers["alice"]
    assert answers["bob"] == answers["dave"] == ""  # the stub is no answer


def test_the_feedback_tells_why_and_never_leaks(graded, tmp_path):
    root, _ = graded
    book = Gradebook.load(root / "serial.json")
    notes = json.dumps(book.students["carol"]["questions"]["6"]["notes"])
    assert SECRET in notes and "master cell" in notes  # the instructor's notes have both; the student gets neither
    written = write_feedback(book, tmp_path / "feedback")
    assert [p.name for p in written] == ["alice.md", "bob.md", "carol.md", "dave.md"]
    secrets = [*hidden_lines(leak_master()), SECRET, "8675.31", "_secret_expected", "hidden test", "master cell"]
    for path in written:
        text = path.read_text()
        assert [s for s in secrets if s in text] == [], path.name
    carol = (tmp_path / "feedback" / "carol.md").read_text()
    assert "**Total: 5 of 12** (written answers still to be graded: 1)" in carol
    assert "- failed: double: not within the tolerance (rtol=1e-07, atol=0) of the expected value" in carol
    assert "- failed: magic: not within the tolerance" in carol
    assert "- error: the answer could not be checked" in carol  # the AssertionError, without its message
    assert "| 1 | 2 | 2 | passed |" in carol and "| 6 | 0 | 2 | failed |" in carol
    # The student's own exception, escaped: no HTML, no link.
    assert "ValueError: &lt;b&gt;bold&lt;/b&gt; \\[x\\](http://y)" in carol and "<b>" not in carol
    assert "could not be graded automatically: not a notebook" in (tmp_path / "feedback" / "dave.md").read_text()
    assert "## Question" not in (tmp_path / "feedback" / "alice.md").read_text()


def test_scores_by_hand_reach_the_gradebook_and_the_feedback_and_survive_regrading(graded, tmp_path):
    root, _ = graded
    book_path = tmp_path / "book.json"
    book_path.write_bytes((root / "serial.json").read_bytes())
    sheet = tmp_path / "sheet.csv"
    assert main(["manual-sheet", str(book_path), str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_bytes().decode("utf-8-sig"), newline="")))
    for row in rows:
        row["score"], row["comment"] = {"carol": ("1.5", "Why does it average out?"), "alice": ("2", "")}.get(
            row["student"], ("", "")
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(out.getvalue())
    assert main(["merge", str(book_path), str(sheet)]) == 0
    assert main(["feedback", str(book_path), str(tmp_path / "fb")]) == 0
    carol = (tmp_path / "fb" / "carol.md").read_text()
    assert "**Total: 6.5 of 12**\n" in carol
    assert "## Question 5 (written): 1.5 of 2\n\nWhy does it average out?" in carol

    # Carol fixes question 2 and is graded again: her hand score stays, the others' rows do not move.
    fixed = json.loads((root / "subs" / "carol_3.ipynb").read_text())
    set_source(fixed, "sol-2", "def double(x):\n    return 2 * x")
    write(tmp_path, "carol_3.ipynb", fixed)
    before = json.loads(book_path.read_text())["students"]
    command = ["grade", str(root / "master.ipynb"), str(tmp_path / "carol_3.ipynb"), "--gradebook", str(book_path)]
    assert main([*command, "--id-pattern", r"(?P<id>[a-z]+)_\d\.ipynb", "--time-limit", "30"]) == 0
    after = json.loads(book_path.read_text())["students"]
    assert {k: v for k, v in after.items() if k != "carol"} == {k: v for k, v in before.items() if k != "carol"}
    assert after["carol"]["questions"]["2"]["points"] == 3.0
    assert after["carol"]["questions"]["5 (written)"]["score"] == 1.5
    assert Gradebook.load(book_path).totals("carol") == (9.5, 12.0, 0)


def test_a_comment_quoting_a_hidden_test_stops_the_feedback(graded, tmp_path):
    root, _ = graded
    book = Gradebook.load(root / "serial.json")
    book.students["bob"]["questions"]["5 (written)"].update(score=0.0, comment=f"Compare:\n{SECRET_TEST}")
    with pytest.raises(ValueError, match="secret line"):
        write_feedback(book, tmp_path / "fb")
    assert not (tmp_path / "fb").exists()


def test_bad_ids_and_options_refuse_before_grading(graded, tmp_path, capsys):
    root, _ = graded
    subs = [str(p) for p in sorted((root / "subs").iterdir())]
    book = tmp_path / "book.json"
    assert main(["grade", str(root / "master.ipynb"), *subs, "--gradebook", str(book), "--id-pattern", "x"]) == 2
    assert "needs a group named id" in capsys.readouterr().err
    assert main(["grade", str(root / "master.ipynb"), *subs, "--id-pattern", r"(?P<id>.+)"]) == 2
    assert "--id-pattern needs --gradebook" in capsys.readouterr().err
    assert main(["grade", str(root / "master.ipynb"), *subs, "--gradebook", str(book), "-j", "0"]) == 2
    assert "jobs must be a positive integer" in capsys.readouterr().err
    assert not book.exists()
    # Another assignment's gradebook is left untouched.
    other = tmp_path / "other.json"
    other.write_bytes((root / "serial.json").read_bytes().replace(b'"max_points": 3.0', b'"max_points": 4.0'))
    before = other.read_bytes()
    assert main(["grade", str(root / "master.ipynb"), subs[0], "--gradebook", str(other), "--time-limit", "30"]) == 2
    assert "not those of the gradebook" in capsys.readouterr().err and other.read_bytes() == before
