"""The grader on a tiny synthetic master: full marks, zero for blanks, failures that stay local, the CLI.

Each submission starts one sandboxed kernel (a few seconds on a busy machine), so the tests
batch what they can.
"""

from __future__ import annotations

import time

import pytest
from conftest import set_source, synthetic_master, write

from langevin_lib.coursework.grader import GradeReport, QuestionScore, clean, format_report, grade, grade_batch


def scores(report) -> dict:
    return {q.question: (q.points, q.status) for q in report.questions}


def notes(report, q: str) -> str:
    return " ".join(next(s.notes for s in report.questions if s.question == q))


def test_crash_loop_and_deleted_variable_score_zero_only_where_they_happen(master_path, tmp_path):
    nb = synthetic_master()
    set_source(nb, "sol-1", "root = math.sqrt(2)\nraise ZeroDivisionError('student bug')")  # question 1 crashes
    set_source(nb, "sol-2", "def double(x):\n    return 2 * x\nwhile True:\n    pass")  # question 2 loops
    set_source(nb, "sol-3", "answer = 42\ndel answer")  # question 3 deletes its answer
    nb["cells"].append({"cell_type": "code", "id": "extra", "metadata": {}, "source": "x = 1", "outputs": []})
    report = grade(master_path, write(tmp_path, "bad.ipynb", nb), time_limit=6.0)
    result = scores(report)
    assert result["1"] == (0, "error") and "ZeroDivisionError: student bug" in notes(report, "1")
    assert result["2"] == (0, "timeout") and "time limit" in notes(report, "2")
    assert result["3"] == (0, "failed") and "answer is not defined" in notes(report, "3")
    assert result["4"] == (2, "passed")  # the loop was interrupted and the kernel kept its state


def test_a_batch_with_malformed_and_hostile_files_grades_the_honest_ones(master_path, tmp_path):
    honest = synthetic_master()
    odd = synthetic_master()  # bad metadata types, which the grader reads as "no metadata"
    odd["cells"][0]["metadata"] = {"tags": 5, "coursework": "1"}
    odd["cells"].insert(1, {"cell_type": "markdown", "id": "m", "metadata": 7, "source": "text"})
    odd["cells"].insert(1, {"cell_type": "code", "id": "n", "metadata": {}, "source": 12, "outputs": []})
    wrong_assignment = synthetic_master()
    for cell in wrong_assignment["cells"]:
        if "coursework" in cell["metadata"]:
            cell["metadata"]["coursework"]["question"] = "7." + cell["metadata"]["coursework"]["question"]
    files = {
        "honest-1": write(tmp_path, "honest-1.ipynb", honest),
        "not-json": write(tmp_path, "not-json.ipynb", b"{not json"),
        "binary": write(tmp_path, "binary.ipynb", bytes(range(256))),
        "nbformat-3": write(tmp_path, "nbformat-3.ipynb", {"nbformat": 3, "metadata": {}, "worksheets": []}),
        "a-list": write(tmp_path, "a-list.ipynb", "[1, 2]"),
        "odd-metadata": write(tmp_path, "odd-metadata.ipynb", odd),
        "wrong-assignment": write(tmp_path, "wrong-assignment.ipynb", wrong_assignment),
        "missing": tmp_path / "missing.ipynb",
        "honest-2": write(tmp_path, "honest-2.ipynb", honest),
    }
    # The master disappears after the first report: it was read once, before any submission ran.
    delete_master = lambda report: master_path.unlink(missing_ok=True)  # noqa: E731
    reports = grade_batch(master_path, files.values(), time_limit=20, on_report=delete_master)
    by_name = dict(zip(files, reports, strict=True))
    for name in ("honest-1", "honest-2", "odd-metadata"):
        assert (by_name[name].status, by_name[name].total) == ("graded", 8), (name, by_name[name])
    assert "its source is not text" in " ".join(by_name["odd-metadata"].setup_notes)
    reasons = {name: report.reason for name, report in by_name.items() if report.status == "refused"}
    assert set(reasons) == {"not-json", "binary", "nbformat-3", "a-list", "wrong-assignment", "missing"}
    assert "not valid JSON" in reasons["not-json"] and "not valid JSON" in reasons["binary"]
    assert "nbformat 3" in reasons["nbformat-3"] and "no list of cells" in reasons["a-list"]
    assert "wrong assignment" in reasons["wrong-assignment"] and "cannot be read" in reasons["missing"]
    for name in reasons:
        assert by_name[name].total == 0 and by_name[name].max_total == 8


def test_a_missing_master_is_every_submission_s_reason(tmp_path, sandbox_ready):
    path = write(tmp_path, "s.ipynb", synthetic_master())
    reports = grade_batch(tmp_path / "gone.ipynb", [path, path], time_limit=5)
    assert [r.status for r in reports] == ["refused", "refused"]
    assert "the master cannot be used" in reports[0].reason and "not graded" in format_report(reports[0])


def test_a_cell_that_hangs_ignoring_interrupts_and_again_on_replay_ends_within_its_cap(master_path, tmp_path):
    nb = synthetic_master()
    ignore_and_hang = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    # Question 1's cell succeeds once, and hangs when replayed after question 2 kills the kernel.
    set_source(
        nb,
        "sol-1",
        "import os\nroot = math.sqrt(2)\nif os.path.exists('ran-once'):\n"
        + "\n".join("    " + line for line in ignore_and_hang.splitlines())
        + "\nopen('ran-once', 'w').close()",
    )
    set_source(nb, "sol-2", "def double(x):\n    return 2 * x\n" + ignore_and_hang)
    started = time.monotonic()
    report = grade(master_path, write(tmp_path, "hang.ipynb", nb), time_limit=6.0, submission_time_limit=120)
    assert time.monotonic() - started < 100  # the bounds add up to about 30 s on an idle machine
    result = scores(report)
    assert result["1"] == (2, "passed")
    assert result["2"] == (0, "timeout") and "the interrupt did not stop it" in notes(report, "2")
    assert result["3"][1] == result["4"][1] == "error", format_report(report)
    assert "replaying the earlier cells" in notes(report, "3")


def test_the_submission_time_cap_stops_the_rest(master_path, tmp_path):
    nb = synthetic_master()
    set_source(nb, "sol-2", "def double(x):\n    return 2 * x\nimport time\ntime.sleep(30)")
    report = grade(master_path, write(tmp_path, "slow.ipynb", nb), time_limit=30, submission_time_limit=8)
    result = scores(report)
    assert result["2"] == (0, "timeout")
    assert result["3"] == result["4"] == (0, "timeout") and "time cap" in notes(report, "4")
    assert report.seconds < 30


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
