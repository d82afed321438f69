"""The grader on a tiny synthetic master: full marks, zero for blanks, failures that stay local, the CLI.

Each submission starts one sandboxed kernel (a few seconds on a busy machine), so the tests
batch what they can.
"""

from __future__ import annotations

import json

import pytest
from conftest import set_source, synthetic_master, write

from langevin_lib.coursework.__main__ import main
from langevin_lib.coursework.grader import GradeReport, QuestionScore, clean, format_report, grade, grade_batch


def scores(report) -> dict:
    return {q.question: (q.points, q.status) for q in report.questions}


def notes(report, q: str) -> str:
    return " ".join(next(s.notes for s in report.questions if s.question == q))


def test_master_scores_full_marks_and_blank_student_scores_zero(master_path, blank, tmp_path):
    master, empty = grade_batch(master_path, [master_path, write(tmp_path, "blank.ipynb", blank)], time_limit=20)
    assert scores(master) == {
        "1": (2, "passed"),
        "2": (3, "passed"),
        "3": (1, "passed"),
        "4": (2, "passed"),
        "5 (written)": (0, "manual"),
    }
    assert (master.total, master.max_total, master.status) == (8, 8, "graded")
    assert (empty.total, empty.max_total) == (0, 8)
    assert "not answered yet" in notes(empty, "1")
    assert "double raised NotImplementedError" in notes(empty, "2")
    assert "plus 2 points graded by hand" in format_report(empty)


def test_crash_loop_and_deleted_variable_score_zero_only_where_they_happen(master_path, tmp_path):
    nb = synthetic_master()
    set_source(nb, "sol-1", "root = math.sqrt(2)\nraise ZeroDivisionError('student bug')")  # question 1 crashes
    set_source(nb, "sol-2", "def double(x):\n    return 2 * x\nwhile True:\n    pass")  # question 2 loops
    set_source(nb, "sol-3", "answer = 42\ndel answer")  # question 3 deletes its answer
    nb["cells"].append({"cell_type": "code", "id": "extra", "metadata": {}, "source": "x = 1", "outputs": []})
    fixed = json.loads(json.dumps(nb))
    set_source(fixed, "sol-3", "answer = 42")
    bad, good3 = grade_batch(
        master_path, [write(tmp_path, "bad.ipynb", nb), write(tmp_path, "fixed.ipynb", fixed)], time_limit=6.0
    )
    result = scores(bad)
    assert result["1"] == (0, "error") and "ZeroDivisionError: student bug" in notes(bad, "1")
    assert result["2"] == (0, "timeout") and "time limit" in notes(bad, "2")
    assert result["3"] == (0, "failed") and "answer is not defined" in notes(bad, "3")
    assert result["4"] == (2, "passed")  # the loop was interrupted and the kernel kept its state
    assert scores(good3)["3"] == (1, "passed")


def test_command_line_writes_json_and_keeps_its_fields(master_path, tmp_path, capsys):
    out = tmp_path / "scores.json"
    assert main(["grade", str(master_path), str(master_path), "--time-limit", "20", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    report = data["reports"][0]
    assert report["submission"] == str(master_path) and (report["total"], report["max_total"]) == (8, 8)
    assert {"points", "max_points", "status"} <= set(report["questions"][0])
    assert "total" in capsys.readouterr().out


def test_time_limits_must_be_positive(master_path):
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="time_limit"):
            grade(master_path, master_path, time_limit=bad)
    with pytest.raises(ValueError, match="submission_time_limit"):
        grade(master_path, master_path, submission_time_limit=0)


def test_reports_escape_what_a_student_controls():
    assert clean("ok\n total 9 9\x1b[2J\u202e") == "ok\\n total 9 9\\x1b[2J\\u202e"
    assert len(clean("x" * 1000)) == 300
    q = QuestionScore("1", 0.0, 2.0, "error", ["ValueError: a\nforged line"])
    report = GradeReport("m.ipynb", "evil\nname.ipynb", 60, [q], ["cell 0: error: \r\ntotal 9 9"], 1.0)
    text = format_report(report)
    assert text.count("\n") == 5 and "evil\\nname.ipynb" in text and "a\\nforged line" in text
