"""The class gradebook on synthetic reports (no kernels): ids, rows, CSV, re-grading, refusals."""

from __future__ import annotations

import csv
import io
import json
import tempfile

import pytest

from langevin_lib.coursework.gradebook import Gradebook, csv_path, csv_text, number, student_ids
from langevin_lib.coursework.grader import GradeReport, QuestionScore

MAXIMA = {"1": 2.0, "2": 3.0, "3 (written)": 2.0}


def report(name: str, points: dict[str, float], answer: str = "", status: str = "graded") -> GradeReport:
    """A report of the three-question master above, with these automatic points."""
    questions = [
        QuestionScore(q, points.get(q, 0.0), top, "manual" if "written" in q else "passed", [f"note {q}"], [f"fb {q}"])
        for q, top in MAXIMA.items()
    ]
    answers = {"3 (written)": answer} if answer else {}
    return GradeReport("m.ipynb", f"subs/{name}.ipynb", 60, questions, [], 1.0, status=status, answers=answers)


def rows(book: Gradebook) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(book.csv_bytes().decode())))


def test_ids_come_from_the_file_name_through_the_pattern():
    assert student_ids(["a/jdoe.ipynb", "b/x.y@uni.ipynb"]) == ["jdoe", "x.y@uni"]
    canvas = r"(?P<id>[a-z]+)_\d+_.*\.ipynb"
    assert student_ids(["jdoe_123_assignment-3.ipynb", "amy_9_a.ipynb"], canvas) == ["jdoe", "amy"]


@pytest.mark.parametrize(
    ("paths", "pattern", "message"),
    [
        (["a.ipynb"], r"(?P<who>.+)\.ipynb", "needs a group named id"),
        (["a.ipynb"], r"(?P<id>.+", "is not a regular expression"),
        (["a.txt"], r"(?P<id>.+)\.ipynb", r"a.txt: the file name does not match"),
        (["../evil name.ipynb"], r"(?P<id>.+)\.ipynb", "must be 1 to 100 letters"),
        ([".hidden.ipynb"], r"(?P<id>.+)\.ipynb", "starting with a letter or digit"),
        (["x/jdoe_1.ipynb", "y/jdoe_2.ipynb"], r"(?P<id>[a-z]+)_\d\.ipynb", "are both student 'jdoe'"),
    ],
)
def test_bad_ids_are_refused_naming_the_file_and_pattern(paths, pattern, message):
    with pytest.raises(ValueError, match=message):
        student_ids(paths, pattern)


def test_one_row_per_student_with_points_and_totals():
    book = Gradebook()
    book.record("bob", report("bob", {"1": 2.0, "2": 1.5}))
    book.record("amy", report("amy", {"1": 0.1, "2": 0.2}))
    assert [q["question"] for q in book.questions] == ["1", "2", "3 (written)"]
    table = rows(book)
    assert list(table[0]) == [
        "student",
        "submission",
        "status",
        "1",
        "2",
        "3 (written)",
        "total",
        "max_total",
        "ungraded",
    ]
    # Sorted by id; 0.1 + 0.2 prints as 0.3; the written question is empty until scored by hand.
    assert table[0] == {
        "student": "amy",
        "submission": "subs/amy.ipynb",
        "status": "graded",
        "1": "0.1",
        "2": "0.2",
        "3 (written)": "",
        "total": "0.3",
        "max_total": "7",
        "ungraded": "1",
    }
    assert (table[1]["student"], table[1]["total"]) == ("bob", "3.5")
    assert book.totals("bob") == (3.5, 7.0, 1)


def test_regrading_updates_one_row_and_keeps_the_others_and_the_hand_scores(tmp_path):
    path = tmp_path / "book.json"
    book = Gradebook()
    book.record("amy", report("amy", {"1": 2.0}, answer="first answer"))
    book.record("bob", report("bob", {"2": 3.0}, answer="bob's answer"))
    book.students["amy"]["questions"]["3 (written)"].update(score=1.5, comment="ok")
    book.students["bob"]["questions"]["3 (written)"].update(score=2.0, comment="good")
    book.save(path)
    bob_before = json.loads(path.read_text())["students"]["bob"]

    again = Gradebook.load(path)
    again.record("amy", report("amy", {"1": 2.0, "2": 3.0}, answer="a better answer"))  # a resubmission
    again.save(path)
    data = json.loads(path.read_text())
    assert data["students"]["bob"] == bob_before
    amy = data["students"]["amy"]["questions"]
    assert amy["2"]["points"] == 3.0
    assert amy["3 (written)"] == {"answer": "a better answer", "score": 1.5, "comment": "ok", "answer_changed": True}
    assert [r["total"] for r in rows(again)] == ["6.5", "5"]
    assert csv_path(path).read_bytes() == again.csv_bytes()


def test_the_bytes_depend_on_the_content_not_on_the_order_of_grading():
    one, two = Gradebook(), Gradebook()
    for name in ("amy", "bob", "cy"):
        one.record(name, report(name, {"1": 1.0}))
    for name in ("cy", "amy", "bob"):
        two.record(name, report(name, {"1": 1.0}))
    assert one.json_bytes() == two.json_bytes() and one.csv_bytes() == two.csv_bytes()


def test_another_assignment_s_report_is_refused_and_changes_nothing():
    book = Gradebook()
    book.record("amy", report("amy", {"1": 2.0}))
    before = book.json_bytes()
    other = report("bob", {})
    other.questions[0].max_points = 5.0
    with pytest.raises(ValueError, match="not those of the gradebook"):
        book.record("bob", other)
    assert book.json_bytes() == before


def test_only_gradebooks_load(tmp_path):
    assert Gradebook.load(tmp_path / "new.json").students == {}
    reports = tmp_path / "reports.json"
    reports.write_text(json.dumps({"master": "m", "reports": []}))  # what --json writes
    with pytest.raises(ValueError, match="not a gradebook"):
        Gradebook.load(reports)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ValueError, match=r"broken\.json: cannot read the gradebook"):
        Gradebook.load(tmp_path / "broken.json")


def test_a_failed_save_leaves_the_old_files(tmp_path, monkeypatch):
    path = tmp_path / "book.json"
    book = Gradebook()
    book.record("amy", report("amy", {"1": 2.0}))
    book.save(path)
    before = (path.read_bytes(), csv_path(path).read_bytes())
    book.record("bob", report("bob", {"1": 1.0}))
    real_mkstemp, calls = tempfile.mkstemp, []

    def disk_full_on_the_second_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", disk_full_on_the_second_file)
    with pytest.raises(OSError, match="No space"):
        book.save(path)
    assert (path.read_bytes(), csv_path(path).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "book.json"]  # no temporary left


def test_csv_cells_cannot_be_formulas():
    text = csv_text([["=HYPERLINK(1)", "+1", "-2", "@x", "plain", 3]])
    assert next(csv.reader(io.StringIO(text))) == ["'=HYPERLINK(1)", "'+1", "'-2", "'@x", "plain", "3"]


def test_numbers_print_short():
    assert [number(x) for x in (2.0, 1.5, 0.1 + 0.2, -0.0, 1 / 3)] == ["2", "1.5", "0.3", "0", "0.333333"]
