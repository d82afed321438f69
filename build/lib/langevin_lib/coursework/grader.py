"""Grade a submitted notebook with the hidden tests of its master, in a fresh kernel.

The master says what is graded through cell metadata ``coursework``:
``{"question": "2.3", "points": 2}`` on a ``hidden-tests`` cell makes that
cell worth 2 points of question 2.3; the same on a markdown ``solution``
cell marks points graded by hand (listed, never scored automatically).

Grading runs every code cell of the submission in order in one new kernel,
and runs the hidden tests of a question right after the submission's last
cell of that question (cells keep their ``coursework.question`` metadata in
the student version; a question with no such cell left is tested at the end).
The cells of one question, its hidden tests included, share a time limit; a
cell that exceeds it is interrupted (and the kernel restarted and the
successful cells replayed if the interrupt does not stop it). A question
whose own cells raise or time out scores zero; the other questions are
graded as usual. The kernel is not a sandbox: run untrusted submissions in a
container.
"""

from __future__ import annotations

import json
import queue
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .student import HIDDEN_TAG, INSTRUCTOR_TAG, SOLUTION_TAG

__all__ = ["GradeReport", "QuestionScore", "format_report", "grade"]

_GRACE_SECONDS = 5.0  # how long an interrupted cell gets to stop before the kernel is restarted
_MAX_MESSAGE = 300


@dataclass
class QuestionScore:
    """Score of one question: ``status`` is passed, partial, failed, error, timeout or manual."""

    question: str
    points: float
    max_points: float
    status: str
    notes: list[str] = field(default_factory=list)


@dataclass
class GradeReport:
    """All scores of one submission (``manual`` questions are not in ``total``)."""

    master: str
    submission: str
    time_limit: float
    questions: list[QuestionScore]
    setup_notes: list[str]
    seconds: float

    @property
    def total(self) -> float:
        return sum(q.points for q in self.questions if q.status != "manual")

    @property
    def max_total(self) -> float:
        return sum(q.max_points for q in self.questions if q.status != "manual")

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total, "max_total": self.max_total}


@dataclass
class _Step:
    source: str
    question: str | None
    label: str
    hidden_points: float | None = None  # set for a hidden-test cell


@dataclass
class _Outcome:
    status: str  # ok, error, timeout
    message: str = ""


def grade(
    master: str | Path, submission: str | Path, *, time_limit: float = 60.0, kernel_name: str = "python3"
) -> GradeReport:
    """Run the hidden tests of ``master`` against ``submission`` and return the scores.

    Parameters
    ----------
    master, submission : path
        The master notebook (with ``hidden-tests`` cells) and the student's notebook.
    time_limit : float
        Seconds allowed for all cells of one question, hidden tests included
        (and for each cell that belongs to no question).
    kernel_name : str
        Jupyter kernel to start (a fresh one per call).
    """
    if not time_limit > 0:
        raise ValueError(f"time_limit must be > 0 seconds, got {time_limit!r}")
    started = time.monotonic()
    master_nb = _read(master)
    steps, scores = _plan(master_nb, _read(submission))
    runner = _Kernel(kernel_name, cwd=Path(submission).resolve().parent)
    setup_notes: list[str] = []
    spent: dict[str | None, float] = {}
    failed: dict[str, str] = {}
    try:
        for step in steps:
            q = step.question
            if q is not None and q in failed and step.hidden_points is not None:
                continue  # the question's own cells already failed: it scores zero
            budget = time_limit - spent.get(q, 0.0) if q is not None else time_limit
            before = time.monotonic()
            outcome = runner.run(step.source, max(budget, 0.01))
            if q is not None:
                spent[q] = spent.get(q, 0.0) + time.monotonic() - before
            score = scores.get(q)
            if step.hidden_points is not None:
                if outcome.status == "ok":
                    score.points += step.hidden_points
                else:
                    score.notes.append(f"{step.label}: {outcome.status}: {outcome.message}")
                    if outcome.status == "timeout":
                        failed.setdefault(q, "timeout")
            elif outcome.status != "ok":
                note = f"{step.label}: {outcome.status}: {outcome.message}"
                if score is None:
                    setup_notes.append(note)
                else:
                    failed.setdefault(q, outcome.status)
                    score.notes.append(note)
    finally:
        runner.shutdown()
    for q, score in scores.items():
        if score.status == "manual":
            continue
        if q in failed:
            score.points, score.status = 0.0, failed[q]
        elif score.points == score.max_points:
            score.status = "passed"
        else:
            score.status = "partial" if score.points > 0 else "failed"
    return GradeReport(
        master=str(master),
        submission=str(submission),
        time_limit=time_limit,
        questions=list(scores.values()),
        setup_notes=setup_notes,
        seconds=round(time.monotonic() - started, 2),
    )


def format_report(report: GradeReport) -> str:
    """A plain-text score table."""
    lines = [
        f"{report.submission}  (master {report.master}, {report.time_limit:g} s per question)",
        f"{'question':<14}{'score':>7}{'max':>7}  status",
    ]
    manual = []
    for q in report.questions:
        if q.status == "manual":
            manual.append(q)
            lines.append(f"{q.question:<14}{'-':>7}{q.max_points:>7g}  graded by hand")
            continue
        lines.append(f"{q.question:<14}{q.points:>7g}{q.max_points:>7g}  {q.status}")
        lines.extend(f"{'':<14}  {note}" for note in q.notes)
    lines.append(f"{'total':<14}{report.total:>7g}{report.max_total:>7g}  ({report.seconds:g} s)")
    if manual:
        lines.append(f"plus {sum(q.max_points for q in manual):g} points graded by hand")
    lines.extend(f"setup: {note}" for note in report.setup_notes)
    return "\n".join(lines)


def _read(path: str | Path) -> dict[str, Any]:
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read the notebook {path}: {exc}") from exc
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        raise ValueError(f"{path} is not an nbformat 4 notebook")
    return notebook


def _coursework(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("coursework", {})
    return meta if isinstance(meta, dict) else {}


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _plan(master: dict[str, Any], submission: dict[str, Any]) -> tuple[list[_Step], dict[str | None, QuestionScore]]:
    """The cells to run, in order, and an empty score for every question of the master."""
    hidden: dict[str, list[_Step]] = {}
    scores: dict[str | None, QuestionScore] = {}
    for index, cell in enumerate(master.get("cells", [])):
        meta, tags = _coursework(cell), cell.get("metadata", {}).get("tags", [])
        if "question" not in meta or "points" not in meta:
            continue
        q, points = str(meta["question"]), float(meta["points"])
        if HIDDEN_TAG in tags and cell.get("cell_type") == "code":
            step = _Step(_source(cell), q, f"hidden test (master cell {index})", hidden_points=points)
            hidden.setdefault(q, []).append(step)
            score = scores.setdefault(q, QuestionScore(q, 0.0, 0.0, "pending"))
            score.max_points += points
        elif SOLUTION_TAG in tags and cell.get("cell_type") == "markdown":
            scores[q + " (written)"] = QuestionScore(q + " (written)", 0.0, points, "manual")
    steps: list[_Step] = []
    last_cell: dict[str, int] = {}
    for index, cell in enumerate(submission.get("cells", [])):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") != "code" or HIDDEN_TAG in tags or INSTRUCTOR_TAG in tags:
            continue  # a submission cannot bring its own hidden tests
        q = _coursework(cell).get("question")
        q = str(q) if q is not None and str(q) in hidden else None
        steps.append(_Step(_source(cell), q, f"cell {index}"))
        if q is not None:
            last_cell[q] = len(steps)
    # Insert each question's hidden tests after its last cell, from the back so positions stay valid.
    for q, position in sorted(last_cell.items(), key=lambda item: -item[1]):
        steps[position:position] = hidden[q]
    for q in hidden:
        if q not in last_cell:
            steps.extend(hidden[q])
    return steps, dict(sorted(scores.items(), key=lambda item: _question_key(item[0])))


def _question_key(question: str | None) -> tuple:
    parts = str(question).split(" ")[0].split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts), str(question)


class _Kernel:
    """One kernel, with execution under a deadline, interrupt, and restart plus replay."""

    def __init__(self, kernel_name: str, cwd: Path):
        from jupyter_client.manager import start_new_kernel

        # The kernel's own log (a warning about unencrypted local TCP) is not the submission's output.
        self._start = lambda: start_new_kernel(
            kernel_name=kernel_name, cwd=str(cwd), startup_timeout=60, stderr=subprocess.DEVNULL
        )
        self.km, self.kc = self._start()
        self.history: list[str] = []  # cells that ran without error, replayed after a restart

    def run(self, source: str, timeout: float) -> _Outcome:
        outcome = self._execute(source, timeout)
        if outcome.status == "ok":
            self.history.append(source)
        return outcome

    def _execute(self, source: str, timeout: float) -> _Outcome:
        msg_id = self.kc.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        error, interrupted = "", False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not interrupted:
                self.km.interrupt_kernel()
                interrupted, deadline = True, time.monotonic() + _GRACE_SECONDS
                continue
            if remaining <= 0 or not self.km.is_alive():
                reason = "the kernel died" if not self.km.is_alive() else "the interrupt did not stop it"
                self._restart()
                if interrupted:
                    return _Outcome("timeout", f"exceeded the time limit of {timeout:.3g} s ({reason})")
                return _Outcome("error", reason)
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"[:_MAX_MESSAGE]
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        if interrupted:
            return _Outcome("timeout", f"exceeded the time limit of {timeout:.3g} s and was interrupted")
        return _Outcome("error", error) if error else _Outcome("ok")

    def _restart(self) -> None:
        self.shutdown()
        self.km, self.kc = self._start()
        for source in self.history:
            self._execute(source, 60.0)

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
