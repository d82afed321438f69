"""Grading by hand on synthetic reports: the sheet, the merge, its refusals (nothing changes), the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_gradebook import report

from langevin_lib.coursework.__main__ import main
from langevin_lib.coursework.gradebook import Gradebook, csv_path
from langevin_lib.coursework.manual import SHEET_COLUMNS, manual_sheet, merge_sheet, write_sheet


@pytest.fixture()
def book_path(tmp_path):
    """A saved gradebook of two students; amy's written answer has two lines and starts like a formula."""
    book = Gradebook()
    book.record("amy", report("amy", {"1": 2.0, "2": 3.0}, answer="=the noise averages out\nover one epoch"))
    book.record("bob", report("bob", {"1": 1.0}))
    path = tmp_path / "book.json"
    book.save(path)
    return path


def sheet_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_sheet_rows(path, rows: list[dict[str, str]], columns=SHEET_COLUMNS) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode())


def filled(book_path, scores: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    rows = sheet_rows(manual_sheet(Gradebook.load(book_path)))
    for row in rows:
        row["score"], row["comment"] = scores.get(row["student"], ("", ""))
    return rows


def test_the_sheet_lists_every_written_answer_with_an_empty_score(book_path):
    rows = sheet_rows(manual_sheet(Gradebook.load(book_path)))
    assert [(r["student"], r["question"], r["max_points"], r["score"], r["comment"]) for r in rows] == [
        ("amy", "3 (written)", "2", "", ""),
        ("bob", "3 (written)", "2", "", ""),
    ]
    assert rows[0]["answer"] == "'=the noise averages out\nover one epoch"  # the quote keeps it from being a formula
    assert rows[1]["answer"] == ""


def test_merged_scores_reach_the_gradebook_and_survive_regrading(book_path, tmp_path):
    sheet = tmp_path / "sheet.csv"
    write_sheet_rows(sheet, filled(book_path, {"amy": ("1.5", "Say why.\n-1 for the sign"), "bob": ("0", "")}))
    assert main(["merge", str(book_path), str(sheet)]) == 0
    book = Gradebook.load(book_path)
    amy = book.students["amy"]["questions"]["3 (written)"]
    assert (amy["score"], amy["comment"]) == (1.5, "Say why.\n-1 for the sign")
    table = list(csv.DictReader(io.StringIO(csv_path(book_path).read_text())))
    assert [(r["student"], r["3 (written)"], r["total"], r["ungraded"]) for r in table] == [
        ("amy", "1.5", "6.5", "0"),
        ("bob", "0", "1", "0"),
    ]
    # A new sheet shows what was merged; a comment starting with '-' comes back as written.
    again = tmp_path / "again.csv"
    assert main(["manual-sheet", str(book_path), str(again)]) == 0
    rows = sheet_rows(again.read_bytes())
    assert (rows[0]["score"], rows[0]["comment"]) == ("1.5", "Say why.\n-1 for the sign")
    write_sheet_rows(again, rows)
    assert merge_sheet(book, again) == 2 and book.students["amy"]["questions"]["3 (written)"] == amy
    # Re-grading amy keeps her score; an empty row in a later sheet leaves bob's alone.
    book.record("amy", report("amy", {"1": 2.0}, answer="=the noise averages out\nover one epoch"))
    write_sheet_rows(sheet, filled(book_path, {}))
    merge_sheet(book, sheet)
    assert book.totals("amy") == (3.5, 7.0, 0) and book.totals("bob") == (1.0, 7.0, 0)
    assert book.students["amy"]["questions"]["3 (written)"]["answer_changed"] is False


@pytest.mark.parametrize(
    ("student", "question", "score", "comment", "message"),
    [
        ("amy", "3 (written)", "2.5", "", "score 2.5 is not between 0 and the maximum 2"),
        ("amy", "3 (written)", "-1", "", "score -1 is not between 0 and the maximum 2"),
        ("amy", "3 (written)", "1,5", "", "score '1,5' is not a number"),
        ("amy", "3 (written)", "nan", "", "score 'nan' is not a number"),
        ("amy", "3 (written)", "inf", "", "score 'inf' is not a number"),
        ("amy", "3 (written)", "", "great", "a comment needs a score"),
        ("zoe", "3 (written)", "1", "", "row 4 .student 'zoe'.*unknown student"),
        ("amy", "3", "1", "", "unknown question; the written questions are 3 \\(written\\)"),
        ("amy", "1", "1", "", "unknown question"),  # an automatic question is not scored by hand
        ("bob", "3 (written)", "1", "", "scored twice"),
    ],
)
def test_a_bad_row_stops_the_merge_and_nothing_changes(book_path, tmp_path, student, question, score, comment, message):
    rows = filled(book_path, {"bob": ("2", "fine")})
    rows.append({"student": student, "question": question, "score": score, "comment": comment})
    sheet = tmp_path / "sheet.csv"
    write_sheet_rows(sheet, rows)
    before = (book_path.read_bytes(), csv_path(book_path).read_bytes())
    with pytest.raises(ValueError, match=message):
        merge_sheet(Gradebook.load(book_path), sheet)
    assert main(["merge", str(book_path), str(sheet)]) == 2
    assert (book_path.read_bytes(), csv_path(book_path).read_bytes()) == before


def test_every_problem_is_listed_at_once(book_path, tmp_path):
    sheet = tmp_path / "sheet.csv"
    write_sheet_rows(sheet, filled(book_path, {"amy": ("9", ""), "bob": ("x", "")}))
    with pytest.raises(ValueError, match=r"(?s)row 2 .*maximum 2.*row 3 .*not a number"):
        merge_sheet(Gradebook.load(book_path), sheet)


def test_a_sheet_without_the_columns_or_unreadable_is_refused(book_path, tmp_path):
    sheet = tmp_path / "sheet.csv"
    write_sheet_rows(sheet, [{"student": "amy", "question": "3 (written)"}], columns=("student", "question"))
    with pytest.raises(ValueError, match="no column score, comment"):
        merge_sheet(Gradebook.load(book_path), sheet)
    sheet.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="cannot read the sheet"):
        merge_sheet(Gradebook.load(book_path), sheet)


def test_a_sheet_is_never_written_over(book_path, tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("scores not merged yet")
    with pytest.raises(ValueError, match="exists"):
        write_sheet(Gradebook.load(book_path), sheet)
    assert main(["manual-sheet", str(book_path), str(sheet)]) == 2
    assert sheet.read_text() == "scores not merged yet"
    assert main(["merge", str(tmp_path / "none.json"), str(sheet)]) == 2
    assert "no such gradebook" in capsys.readouterr().err


def test_the_gradebook_json_keeps_the_comment_exactly(book_path, tmp_path):
    sheet = tmp_path / "sheet.csv"
    comment = 'Accents é, quotes "x", a comma, and\r\na Windows line end'
    write_sheet_rows(sheet, filled(book_path, {"amy": ("2", comment)}))
    assert main(["merge", str(book_path), str(sheet)]) == 0
    assert json.loads(book_path.read_text())["students"]["amy"]["questions"]["3 (written)"]["comment"] == comment
