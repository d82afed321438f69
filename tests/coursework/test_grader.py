"""The grader: full marks for the master, zero for the blank student version, and failures that stay local.

Each ``grade`` call starts one fresh kernel (about a second); the notebooks are
made here, small, with short time limits.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from langevin_lib.coursework import make_student
from langevin_lib.coursework.__main__ import main
from langevin_lib.coursework.grader import format_report, grade

pytest.importorskip("jupyter_client")


def question(q: str, solution: str, test: str, points: int) -> list:
    meta = {"coursework": {"question": q}}
    return [
        new_code_cell(solution, id=f"sol-{q.replace('.', '-')}", metadata={**meta, "tags": ["solution"]}),
        new_code_cell(
            test,
            id=f"hid-{q.replace('.', '-')}",
            metadata={"coursework": {"question": q, "points": points}, "tags": ["hidden-tests"]},
        ),
    ]


@pytest.fixture()
def master_path(tmp_path):
    cells = [
        new_code_cell("import math", id="setup"),
        *question("1", "# BEGIN SOLUTION\nroot = math.sqrt(2)\n# END SOLUTION", "assert abs(root - 2**0.5) < 1e-12", 2),
        *question(
            "2",
            "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION",
            "assert double(3) == 6 and double(-1) == -2",
            3,
        ),
        *question("3", "# BEGIN SOLUTION\nanswer = 41 + 1\n# END SOLUTION", "assert answer == 42", 1),
        new_markdown_cell(
            "<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->",
            id="written",
            metadata={"tags": ["solution"], "coursework": {"question": "4", "points": 2}},
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "master.ipynb"
    nbformat.write(nb, path)
    return path


def scores(report) -> dict:
    return {q.question: (q.points, q.status) for q in report.questions}


def test_master_scores_full_marks_and_blank_student_scores_zero(master_path, tmp_path):
    report = grade(master_path, master_path, time_limit=20)
    assert scores(report) == {"1": (2, "passed"), "2": (3, "passed"), "3": (1, "passed"), "4 (written)": (0, "manual")}
    assert (report.total, report.max_total) == (6, 6)
    blank = tmp_path / "blank.ipynb"
    blank.write_text(json.dumps(make_student(json.loads(master_path.read_text()))))
    report = grade(master_path, blank, time_limit=20)
    assert report.total == 0 and report.max_total == 6
    assert "NotImplementedError" in " ".join(scores_notes(report, "2"))
    assert "plus 2 points graded by hand" in format_report(report)


def scores_notes(report, q: str) -> list[str]:
    return next(s.notes for s in report.questions if s.question == q)


def test_crash_loop_and_deleted_variable_score_zero_only_where_they_happen(master_path, tmp_path):
    submission = json.loads(master_path.read_text())
    cells = submission["cells"]
    cells[1]["source"] = "root = math.sqrt(2)\nraise ZeroDivisionError('student bug')"  # question 1 crashes
    cells[3]["source"] = "def double(x):\n    return 2 * x\nwhile True:\n    pass"  # question 2 loops
    cells[5]["source"] = "answer = 42\ndel answer"  # question 3 deletes its answer
    cells.append(new_code_cell("import math as _m\nroot2 = _m.sqrt(2)", id="extra"))  # an extra cell is harmless
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps(submission))
    report = grade(master_path, path, time_limit=1.0)
    result = scores(report)
    assert result["1"] == (0, "error") and "ZeroDivisionError: student bug" in scores_notes(report, "1")[0]
    assert result["2"] == (0, "timeout") and "time limit" in scores_notes(report, "2")[0]
    assert result["3"] == (0, "failed") and "NameError" in scores_notes(report, "3")[0]
    # The loop was interrupted and the kernel kept its state: a fixed question 3 still scores.
    cells[5]["source"] = "answer = 42"
    path.write_text(json.dumps(submission))
    assert scores(grade(master_path, path, time_limit=1.0))["3"] == (1, "passed")


def test_command_line_writes_json(master_path, tmp_path, capsys):
    out = tmp_path / "scores.json"
    assert main(["grade", str(master_path), str(master_path), "--time-limit", "20", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["reports"][0]["total"] == 6 and data["reports"][0]["max_total"] == 6
    assert "total" in capsys.readouterr().out


def test_time_limit_must_be_positive(master_path):
    with pytest.raises(ValueError, match="time_limit"):
        grade(master_path, master_path, time_limit=0)
