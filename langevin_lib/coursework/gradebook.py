"""The class gradebook: one row per student, with each question's points, the scores given by hand, and the total.

The gradebook is a JSON file (the record) with a CSV file next to it (same
name, ``.csv``) for a spreadsheet or an LMS import: one row per student,
``student, submission, status``, one column per question in the master's
order (written questions are ``"2.4 (written)"``: empty until scored by hand),
then ``total`` (automatic points plus the scores given so far),
``max_total`` and ``ungraded`` (written answers still without a score).

Grading again updates the rows of the students graded and keeps everything
else: the other students' rows, and the scores and comments given by hand
(:mod:`~langevin_lib.coursework.manual`); a written answer that changed since
it was scored keeps its score and is flagged ``answer_changed``. Both files
are rewritten atomically, and the bytes depend only on the content (sorted
students, no timings), so grading in parallel writes the same files as
grading one by one.

A student's id comes from the submission's file name, through a regular
expression with a group named ``id`` (by default the name without
``.ipynb``); the notebook's own metadata is written by the student, so it
could claim another student's row, and is not used.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .grader import GradeReport

__all__ = [
    "DEFAULT_ID_PATTERN",
    "Gradebook",
    "atomic_write",
    "csv_path",
    "csv_text",
    "number",
    "student_ids",
]

#: Student id = the file name without ``.ipynb``.
DEFAULT_ID_PATTERN = r"(?P<id>.+)\.ipynb"
FORMAT = 1
# Ids name the feedback files and the rows: letters, digits and a few safe signs, no leading dot or sign.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def student_ids(paths: Sequence[str | Path], id_pattern: str = DEFAULT_ID_PATTERN) -> list[str]:
    """The student id of each submission, from its file name; checked before anything is graded.

    Parameters
    ----------
    paths : sequence of path
        The submissions.
    id_pattern : str
        A regular expression that the whole file name must match, with a group
        named ``id``: for example ``(?P<id>[a-z0-9]+)_.*\\.ipynb`` for
        ``jdoe42_assignment3.ipynb``.

    Raises
    ------
    ValueError
        If the pattern is not a regular expression with a group ``id``, a file name
        does not match it, an id has characters other than letters, digits and
        ``. _ @ + -`` (or is longer than 100), or two files give the same id.
    """
    try:
        regex = re.compile(id_pattern)
    except re.error as exc:
        raise ValueError(f"id_pattern {id_pattern!r} is not a regular expression: {exc}") from exc
    if "id" not in regex.groupindex:
        raise ValueError(f"id_pattern {id_pattern!r} needs a group named id, as in (?P<id>...)")
    ids: list[str] = []
    owner: dict[str, str] = {}
    for path in paths:
        match = regex.fullmatch(Path(path).name)
        if match is None or match["id"] is None:
            raise ValueError(f"{path}: the file name does not match id_pattern {id_pattern!r}")
        student = match["id"]
        if not _ID.fullmatch(student):
            raise ValueError(
                f"{path}: the student id {student!r} (from id_pattern {id_pattern!r}) must be 1 to 100 letters, "
                "digits and . _ @ + -, starting with a letter or digit"
            )
        if student in owner:
            raise ValueError(f"{owner[student]} and {path} are both student {student!r}: grade only one of them")
        owner[student] = str(path)
        ids.append(student)
    return ids


def number(value: float) -> str:
    """A score as text: ``2``, ``1.5``, ``0.3`` (rounded to 6 decimals, so sums of tenths print as such)."""
    return format(round(value, 6) + 0.0, ".15g")  # + 0.0: no "-0"


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV; a text cell that a spreadsheet would run as a formula gets a leading ``'``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA_START) else cell for cell in row]
        )
    return out.getvalue()


def atomic_write(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary neighbour first, then move them into place: no reader sees half a file."""
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            temporaries.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        for tmp, path in temporaries:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temporaries:
            Path(tmp).unlink(missing_ok=True)


@dataclass
class Gradebook:
    """The record of one assignment: its questions and one row per student.

    ``questions`` lists ``{"question", "max_points", "written"}`` in the master's
    order. ``students`` maps an id to its row: ``submission``, ``status``
    (``graded`` or ``refused``), ``reason`` (for the instructor),
    ``public_reason`` (for the student), ``setup_notes`` (what the student's cells
    outside any question raised), and ``questions``: for an automatic question ``points``, ``status``,
    ``notes`` (for the instructor) and ``feedback`` (for the student); for a
    written one ``answer``, ``score`` (None until given), ``comment`` and
    ``answer_changed``.
    """

    master: str = ""
    questions: list[dict[str, Any]] = field(default_factory=list)
    students: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Gradebook:
        """The gradebook in ``path``, or an empty one if there is no such file.

        Raises
        ------
        ValueError
            If the file is not a gradebook written by this module.
        """
        path = Path(path)
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read the gradebook: {exc}") from exc
        if not (
            isinstance(data, dict)
            and data.get("format") == FORMAT
            and isinstance(data.get("questions"), list)
            and isinstance(data.get("students"), dict)
        ):
            raise ValueError(
                f"{path}: not a gradebook (format {FORMAT}, written by grade --gradebook); "
                "a --json report file is not one"
            )
        return cls(str(data.get("master", "")), data["questions"], data["students"])

    def record(self, student: str, report: GradeReport) -> None:
        """Put one graded submission in ``student``'s row, keeping the scores given by hand.

        Raises
        ------
        ValueError
            If the report's questions (names and points) are not the gradebook's:
            a gradebook holds one assignment.
        """
        questions = [
            {"question": q.question, "max_points": q.max_points, "written": q.status == "manual"}
            for q in report.questions
        ]
        if questions and self.questions and questions != self.questions:
            raise ValueError(
                f"{report.submission}: its master's questions ({_describe(questions)}) are not those of the "
                f"gradebook ({_describe(self.questions)}); use one gradebook per assignment"
            )
        if questions:
            self.questions = questions
        self.master = report.master
        old = self.students.get(student, {}).get("questions", {})
        row: dict[str, Any] = {}
        for q in report.questions:
            if q.status != "manual":
                row[q.question] = {"points": q.points, "status": q.status, "notes": q.notes, "feedback": q.feedback}
                continue
            answer = report.answers.get(q.question, "")
            before = old.get(q.question, {})
            score = before.get("score")
            changed = score is not None and (before.get("answer_changed") or before.get("answer") != answer)
            row[q.question] = {
                "answer": answer,
                "score": score,
                "comment": before.get("comment", ""),
                "answer_changed": bool(changed),
            }
        self.students[student] = {
            "submission": report.submission,
            "status": report.status,
            "reason": report.reason,
            "public_reason": report.public_reason,
            "setup_notes": report.setup_notes,
            "questions": row,
        }

    def totals(self, student: str) -> tuple[float, float, int]:
        """``(total, max_total, ungraded)`` of a student: points so far, the maximum, written answers unscored."""
        row = self.students[student]["questions"]
        total, ungraded = 0.0, 0
        for q in self.questions:
            entry = row.get(q["question"], {})
            if q["written"]:
                if entry.get("score") is None:
                    ungraded += 1
                else:
                    total += entry["score"]
            else:
                total += entry.get("points", 0.0)
        return total, sum(q["max_points"] for q in self.questions), ungraded

    def json_bytes(self) -> bytes:
        """The JSON record (sorted keys: the bytes depend only on the content)."""
        data = {"format": FORMAT, "master": self.master, "questions": self.questions, "students": self.students}
        return (json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode()

    def csv_bytes(self) -> bytes:
        """The CSV table: one row per student, sorted by id (see the module docstring)."""
        names = [q["question"] for q in self.questions]
        rows: list[list[Any]] = [["student", "submission", "status", *names, "total", "max_total", "ungraded"]]
        for student in sorted(self.students):
            row = self.students[student]
            cells = []
            for q in self.questions:
                entry = row["questions"].get(q["question"], {})
                value = entry.get("score") if q["written"] else entry.get("points")
                cells.append("" if value is None else number(value))
            total, max_total, ungraded = self.totals(student)
            rows.append([student, row["submission"], row["status"], *cells, number(total), number(max_total), ungraded])
        return csv_text(rows).encode()

    def save(self, path: str | Path) -> None:
        """Write the JSON record to ``path`` and the CSV table beside it (``.csv``), atomically."""
        path = Path(path)
        atomic_write({path: self.json_bytes(), csv_path(path): self.csv_bytes()})

    def written(self) -> list[dict[str, Any]]:
        """The written questions, in order."""
        return [q for q in self.questions if q["written"]]


def csv_path(path: str | Path) -> Path:
    """Where the CSV table of the gradebook ``path`` goes."""
    return Path(path).with_suffix(".csv")


def _describe(questions: list[dict[str, Any]]) -> str:
    return ", ".join(f"{q['question']}: {number(q['max_points'])}" for q in questions)
