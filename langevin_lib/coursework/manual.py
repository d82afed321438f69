"""Grading by hand: a sheet of the written answers to score, and the merge of the scores into the gradebook.

The sheet is a CSV file (UTF-8 with a byte-order mark, so that Excel reads
accents right) with one row per student and written question::

    student, question, max_points, score, comment, answer_changed, answer

``score`` and ``comment`` hold what the gradebook already has (empty at
first); fill them in and :func:`merge_sheet` puts them into the gradebook.
A row whose score is empty is left as it is in the gradebook (score later).
Any bad row (a score above the maximum, negative or not a number, an unknown
student or question, a row given twice, a comment without a score) stops the
merge with every problem listed, and nothing changes.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from .gradebook import Gradebook, csv_text, number

__all__ = ["SHEET_COLUMNS", "manual_sheet", "merge_sheet", "write_sheet"]

SHEET_COLUMNS = ("student", "question", "max_points", "score", "comment", "answer_changed", "answer")
_REQUIRED = ("student", "question", "score", "comment")
_MAX_PROBLEMS = 20  # listed in one error; a sheet that wrong needs a look anyway
_FORMULA_GUARD = ("'=", "'+", "'-", "'@")


def manual_sheet(gradebook: Gradebook) -> bytes:
    """The sheet of every written answer in ``gradebook``, with the scores and comments it already holds."""
    rows: list[list[object]] = [list(SHEET_COLUMNS)]
    for student in sorted(gradebook.students):
        answers = gradebook.students[student]["questions"]
        for question in gradebook.written():
            entry = answers.get(question["question"], {})
            score = entry.get("score")
            rows.append(
                [
                    student,
                    question["question"],
                    number(question["max_points"]),
                    "" if score is None else number(score),
                    entry.get("comment", ""),
                    "yes" if entry.get("answer_changed") else "",
                    entry.get("answer", ""),
                ]
            )
    return ("\ufeff" + csv_text(rows)).encode()


def write_sheet(gradebook: Gradebook, path: str | Path) -> int:
    """Write :func:`manual_sheet` to a new file ``path``; return the number of answers in it.

    Raises
    ------
    ValueError
        If ``path`` exists: it may hold scores not merged yet.
    """
    path = Path(path)
    try:
        with path.open("xb") as handle:  # never over a sheet that may hold scores not merged yet
            handle.write(manual_sheet(gradebook))
    except FileExistsError:
        raise ValueError(
            f"{path} exists (it may hold scores not merged yet): merge it, or choose another name"
        ) from None
    return len(gradebook.students) * len(gradebook.written())


def merge_sheet(gradebook: Gradebook, path: str | Path) -> int:
    """Put the scores and comments of the sheet ``path`` into ``gradebook``; return how many scores it had.

    The whole sheet is checked before ``gradebook`` is touched.

    Raises
    ------
    ValueError
        Naming the file, the row and the allowed values, for every bad row (see the module docstring),
        or if the file cannot be read or lacks a column.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the sheet: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [name for name in _REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: the sheet has no column {', '.join(missing)} (its columns must include {_REQUIRED})")
    written = {q["question"]: q["max_points"] for q in gradebook.written()}
    updates: dict[tuple[str, str], tuple[float, str]] = {}
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):  # line 1 is the header
        student, question = (row.get("student") or "").strip(), (row.get("question") or "").strip()
        score_text, comment = (row.get("score") or "").strip(), _unguard(row.get("comment") or "")
        where = f"{path}, row {line} (student {student!r}, question {question!r})"
        if not score_text:
            if comment.strip():
                problems.append(f"{where}: a comment needs a score")
            continue
        if student not in gradebook.students:
            problems.append(f"{where}: unknown student (not in the gradebook)")
            continue
        if question not in written:
            allowed = ", ".join(written) or "none"
            problems.append(f"{where}: unknown question; the written questions are {allowed}")
            continue
        try:
            score = float(score_text)
        except ValueError:
            score = math.nan
        maximum = written[question]
        if not math.isfinite(score):
            problems.append(f"{where}: score {score_text!r} is not a number (write 1.5, with a point)")
        elif not 0 <= score <= maximum:
            problems.append(f"{where}: score {score_text} is not between 0 and the maximum {number(maximum)}")
        elif (student, question) in updates:
            problems.append(f"{where}: this student's question is scored twice in the sheet")
        else:
            updates[(student, question)] = (score, comment)
    if problems:
        more = f"\n... and {len(problems) - _MAX_PROBLEMS} more" if len(problems) > _MAX_PROBLEMS else ""
        raise ValueError("nothing merged:\n" + "\n".join(problems[:_MAX_PROBLEMS]) + more)
    for (student, question), (score, comment) in updates.items():
        entry = gradebook.students[student]["questions"].setdefault(question, {"answer": ""})
        entry.update(score=score, comment=comment, answer_changed=False)
    return len(updates)


def _unguard(text: str) -> str:
    """A comment as written, without the ``'`` that :func:`~.gradebook.csv_text` put before a formula sign."""
    return text[1:] if text.startswith(_FORMULA_GUARD) else text
