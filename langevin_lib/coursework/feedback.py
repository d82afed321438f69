"""Feedback for each student: a Markdown file with the points, why a question failed, and the comments.

A student's file says, per question, the points and the result; under a
question that lost points, the messages the student may see (the checks'
messages, which name the quantity and never the expected value, and what the
student's own code raised); for a written question, the score and the
comment given by hand. It never holds the instructor's notes: no hidden
test's source or label, nothing the instructor's code raised.

Before anything is written, every file goes through the student maker's leak
guard (:func:`~langevin_lib.coursework.student.check_no_leaks`) against the
master: a line of a hidden test, of a solution or of the answer key (a
comment that quotes the model answer, say) refuses the whole run. Everything
in a file is escaped for Markdown and HTML, so a student's exception message
cannot add links, images or markup.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from .gradebook import Gradebook, atomic_write, number
from .student import check_no_leaks

__all__ = ["feedback_markdown", "write_feedback"]

# Emphasis, code, links and images, headings, tables, strike-through; < > & are escaped for HTML.
_MARKDOWN_SIGNS = re.compile(r"([\\`*_\[\]#|!~])")


def feedback_markdown(gradebook: Gradebook, student: str) -> str:
    """The feedback of ``student`` as Markdown text."""
    row = gradebook.students[student]
    total, max_total, ungraded = gradebook.totals(student)
    lines = [f"# Feedback: {_escape(Path(gradebook.master).stem)}", "", f"Student: {_escape(student)}", ""]
    pending = f" (written answers still to be graded: {ungraded})" if ungraded else ""
    lines += [f"**Total: {number(total)} of {number(max_total)}**{pending}", ""]
    if row["status"] != "graded":
        reason = row.get("public_reason") or "your instructor has the details"
        lines += [f"Your notebook could not be graded automatically: {_escape(reason)}.", ""]
    lines += ["| Question | Points | Out of | Result |", "| --- | --- | --- | --- |"]
    details: list[str] = []
    for question in gradebook.questions:
        name = question["question"]
        entry = row["questions"].get(name, {})
        title = f"{_escape(name)}"
        if question["written"]:
            score = entry.get("score")
            shown = "-" if score is None else number(score)
            result = "not graded yet" if score is None else "graded by hand"
            lines.append(f"| {title} | {shown} | {number(question['max_points'])} | {result} |")
            if entry.get("comment", "").strip():
                details += [f"## Question {title}: {shown} of {number(question['max_points'])}", ""]
                details += [_escape(line) + "  " for line in entry["comment"].strip().splitlines()] + [""]
            continue
        points, status = entry.get("points", 0.0), entry.get("status", "not graded")
        lines.append(f"| {title} | {number(points)} | {number(question['max_points'])} | {_escape(status)} |")
        if entry.get("feedback") and points < question["max_points"]:
            details += [f"## Question {title}: {_escape(status)}, {number(points)} of {number(question['max_points'])}"]
            details += [""] + [f"- {_escape(message)}" for message in entry["feedback"]] + [""]
    lines.append("")
    if row.get("setup_notes"):
        details += ["## Cells outside the questions", ""]
        details += [f"- {_escape(note)}" for note in row["setup_notes"]] + [""]
    return "\n".join(lines + details).rstrip("\n") + "\n"


def write_feedback(gradebook: Gradebook, out_dir: str | Path, master: str | Path | None = None) -> list[Path]:
    """Write ``OUT_DIR/<student>.md`` for every student of ``gradebook``; return the files, sorted.

    Parameters
    ----------
    gradebook : Gradebook
        The graded class.
    out_dir : path
        Created if needed; other files in it are left alone.
    master : path, optional
        The master the leak guard reads (default: the one the gradebook records).

    Raises
    ------
    ValueError
        If the master cannot be read, or the leak guard finds a secret line in a file
        (a :class:`~langevin_lib.coursework.student.CourseworkError`); nothing is written then.
    """
    master_path = Path(master if master is not None else gradebook.master)
    try:
        master_notebook: dict[str, Any] = json.loads(master_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{master_path}: cannot read the master, which the leak guard needs: {exc}") from exc
    files = {}
    for student in sorted(gradebook.students):
        text = feedback_markdown(gradebook, student)
        # The guard reads what the student will read: the text without its escapes.
        shown = html.unescape(re.sub(r"\\(.)", r"\1", text))
        cell = {"cell_type": "markdown", "id": student, "metadata": {}, "source": shown}
        check_no_leaks(master_notebook, {"cells": [cell], "metadata": {}}, f"feedback of {student}")
        files[Path(out_dir) / f"{student}.md"] = text.encode()
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    atomic_write(files)
    return sorted(files)


def _escape(text: str) -> str:
    """``text`` shown as plain text by Markdown and HTML renderers alike."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", html.escape(str(text), quote=False))
