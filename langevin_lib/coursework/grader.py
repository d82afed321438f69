"""Grade submitted notebooks with the hidden tests of their master: the student's code in a sandbox, the tests here.

The master says what is graded through cell metadata ``coursework``:
``{"question": "2.3", "points": 2}`` on a ``hidden-tests`` cell makes that
cell worth 2 points of question 2.3; the same on a markdown ``solution``
cell marks points graded by hand (listed, never scored automatically).

For each submission the grader starts a fresh Jupyter kernel in its own
sandbox (:mod:`~langevin_lib.coursework.sandbox`), runs the submission's code
cells there in order and, right after the submission's last cell of a
question (cells keep their ``coursework.question`` metadata in the student
version; a question with no such cell left is tested at the end), runs that
question's hidden tests **in the grader's own process**: they read the
student's answers by value through the exchange
(:mod:`~langevin_lib.coursework.answers`) and compare them with the grader's
own NumPy. Patching NumPy, builtins, IPython or ``langevin_lib`` inside the
submission changes nothing the tests compute.

Limits: the cells of one question, the reading of its answers included,
share a time limit; a cell over it is interrupted (and, if the interrupt does
not stop it, the sandbox is killed, a new one started and the successful
cells replayed, each within a bound, a bounded number of times). A whole
submission has a time cap. A question whose own cells raise or time out
scores zero; the other questions are graded as usual. A submission that
cannot be read, or belongs to another assignment, gets a report that says
why; the batch goes on.

Each submission is graded as one self-contained task (the master's and the
submission's bytes, read before any student code ran, and the limits), so the
tasks can run here, in local worker processes or on a Dask cluster
(``langevin_lib.coursework.workers``) with the same reports.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .student import HIDDEN_TAG, INSTRUCTOR_TAG, MARKDOWN_STUB, SOLUTION_TAG

if TYPE_CHECKING:
    from .kernel import Kernel
    from .sandbox import Limits

__all__ = [
    "GradeReport",
    "MasterError",
    "QuestionScore",
    "clean",
    "format_report",
    "grade",
    "grade_batch",
    "write_gradebook",
]

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
_MAX_NOTE = 300
_MAX_ANSWER = 20_000  # characters of one written answer kept for grading by hand


class MasterError(ValueError):
    """The master cannot be used for grading (unreadable, or a malformed hidden test)."""


@dataclass
class QuestionScore:
    """Score of one question: ``status`` is passed, partial, failed, error, timeout or manual."""

    question: str
    points: float
    max_points: float
    status: str
    notes: list[str] = field(default_factory=list)
    #: What the student may be told: the checks' messages and what the student's own code raised,
    #: never a hidden test's source or label, nor what the instructor's code raised.
    feedback: list[str] = field(default_factory=list)


@dataclass
class GradeReport:
    """All scores of one submission (``manual`` questions are not in ``total``).

    ``status`` is ``graded`` or ``refused`` (the submission could not be graded
    at all: ``reason`` says why, every question scores zero; ``public_reason``
    repeats it when the student may read it, and is empty when the cause is on
    the grader's side). ``answers`` holds the written answers by question
    (``"2.4 (written)"``), read from the submission before any code ran.
    """

    master: str
    submission: str
    time_limit: float
    questions: list[QuestionScore]
    setup_notes: list[str]
    seconds: float
    status: str = "graded"
    reason: str = ""
    sandboxed: bool = True
    public_reason: str = ""
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(q.points for q in self.questions if q.status != "manual")

    @property
    def max_total(self) -> float:
        return sum(q.max_points for q in self.questions if q.status != "manual")

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total, "max_total": self.max_total}


@dataclass
class _HiddenTest:
    source: str
    code: Any  # compiled
    question: str
    points: float
    label: str


@dataclass
class _Master:
    name: str
    hidden: dict[str, list[_HiddenTest]]
    written: dict[str, float]  # question -> points graded by hand


@dataclass(frozen=True)
class _Task:
    """Everything one submission's grading needs, as plain data: it may travel to a worker process."""

    master: str
    master_content: bytes | str  # the bytes, or why they could not be read
    path: str
    content: bytes | str
    time_limit: float
    submission_time_limit: float
    sandbox: bool
    limits: Limits
    hidden_paths: tuple[str, ...]


@dataclass
class _Step:
    source: str
    question: str | None
    label: str
    tests: str | None = None  # set for the step that runs the hidden tests of a question


def clean(text: Any, limit: int = _MAX_NOTE) -> str:
    """``text`` on one line with every control or invisible character escaped, cut to ``limit``.

    Student-controlled text (exception messages, file names) goes through
    this before it reaches a report, so it cannot forge lines, colours or
    hidden characters.
    """
    out = []
    for char in str(text):
        if char.isprintable() and unicodedata.category(char) not in ("Cf", "Zl", "Zp"):
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii") if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    line = "".join(out)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def grade(
    master: str | Path,
    submission: str | Path,
    *,
    time_limit: float = 60.0,
    submission_time_limit: float = 600.0,
    sandbox: bool = True,
    limits: Limits | None = None,
) -> GradeReport:
    """Grade one submission against ``master``; see :func:`grade_batch` (this is a batch of one)."""
    return grade_batch(
        master,
        [submission],
        time_limit=time_limit,
        submission_time_limit=submission_time_limit,
        sandbox=sandbox,
        limits=limits,
    )[0]


def grade_batch(
    master: str | Path,
    submissions: Iterable[str | Path],
    *,
    time_limit: float = 60.0,
    submission_time_limit: float = 600.0,
    sandbox: bool = True,
    limits: Limits | None = None,
    secrets: Iterable[str | Path] = (),
    on_report: Callable[[GradeReport], None] | None = None,
    jobs: int = 1,
    client: Any = None,
) -> list[GradeReport]:
    """Grade every submission against ``master``, each in its own sandbox; one report per submission.

    Every file is read into memory before any student code runs, so no
    submission can change another (or the master) before it is graded.
    Problems of one submission (unreadable, wrong assignment, crashing,
    hanging) are its report; they never stop the batch.

    Parameters
    ----------
    master : path
        The master notebook (with ``hidden-tests`` cells).
    submissions : iterable of path
        The students' notebooks.
    time_limit : float
        Seconds for all cells of one question, reading its answers included
        (and for each cell that belongs to no question).
    submission_time_limit : float
        Seconds for a whole submission; what is left when it runs out scores zero.
    sandbox : bool
        False runs the students' code on the host with your permissions
        (``--unsafe-no-sandbox``): only for notebooks you trust.
    limits : Limits, optional
        Resource limits of each sandbox (default :class:`~langevin_lib.coursework.sandbox.Limits`,
        with the CPU limit raised to the submission's time cap).
    secrets : iterable of path
        Further files that must not be visible inside a sandbox (the gradebook).
    on_report : callable, optional
        Called with each report, in the order of ``submissions``, as soon as it
        and the ones before it are ready.
    jobs : int
        Submissions graded at once, each by its own worker process (1: in this process).
    client : dask.distributed.Client, optional
        Grade on this Dask cluster instead (``jobs`` is then ignored); every worker needs
        bwrap and this Python environment (see ``langevin_lib.coursework.workers``).

    Raises
    ------
    ValueError
        If a time limit is not a positive number, or ``jobs`` not a positive integer.
    SandboxUnavailable
        If ``sandbox`` is True and bwrap cannot run here.
    """
    for name, seconds in (("time_limit", time_limit), ("submission_time_limit", submission_time_limit)):
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds < math.inf:
            raise ValueError(f"{name} must be a positive number of seconds, got {seconds!r}")
    from .sandbox import Limits, check_sandbox
    from .workers import run

    if sandbox:
        check_sandbox()
    if limits is None:
        limits = Limits(cpu_seconds=int(submission_time_limit) + 60)
    paths = [Path(p) for p in submissions]
    master_content = _read_bytes(Path(master), limit=False)
    contents = {str(p): _read_bytes(p) for p in paths}  # a snapshot before any student code runs
    hidden_paths = tuple(str(p) for p in [Path(master), *paths, *map(Path, secrets)])
    tasks = [
        _Task(
            str(master),
            master_content,
            str(path),
            contents[str(path)],
            time_limit,
            submission_time_limit,
            sandbox,
            limits,
            hidden_paths,
        )
        for path in paths
    ]
    return run(_grade_task, tasks, jobs=jobs, client=client, on_result=on_report, on_failure=_lost_task)


def _grade_task(task: _Task) -> GradeReport:
    """Grade one submission; every problem of the submission becomes its report (this never raises)."""
    started = time.monotonic()
    report = GradeReport(task.master, clean(task.path, 1000), task.time_limit, [], [], 0.0, sandboxed=task.sandbox)
    try:
        master_plan = _parse_master(task.master_content, task.master)
    except MasterError as exc:
        _refuse(report, None, f"the master cannot be used: {exc}", public=False)
    else:
        try:
            notebook = _parse_submission(task.content)
            report.answers = _written_answers(master_plan, notebook)
            _grade_one(master_plan, notebook, task, report)
        except _Refused as exc:
            _refuse(report, master_plan, str(exc), public=exc.public)
        except Exception as exc:  # the grader failing on one submission must not cost the others theirs
            reason = f"the grader failed on this submission: {type(exc).__name__}: {exc}"
            _refuse(report, master_plan, reason, public=False)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _lost_task(task: _Task, error: BaseException) -> GradeReport:
    """The report of a submission whose worker died (the process, or a cluster's worker)."""
    report = GradeReport(task.master, clean(task.path, 1000), task.time_limit, [], [], 0.0, sandboxed=task.sandbox)
    try:
        master_plan: _Master | None = _parse_master(task.master_content, task.master)
    except MasterError:
        master_plan = None
    _refuse(report, master_plan, f"the grader's worker failed: {type(error).__name__}: {error}", public=False)
    return report


class _Refused(Exception):
    """This submission cannot be graded at all; ``public``: the reason is the student's to read."""

    def __init__(self, reason: str, *, public: bool = True):
        super().__init__(reason)
        self.public = public


class _Timeout(BaseException):
    """Reading an answer ran out of time (not an Exception: a hidden test's try/except cannot catch it)."""


def _refuse(report: GradeReport, master: _Master | None, reason: str, *, public: bool) -> None:
    report.status, report.reason = "refused", clean(reason, 500)
    report.public_reason = report.reason if public else ""
    if master is not None:
        report.questions = _empty_scores(master)
        for score in report.questions:
            if score.status != "manual":
                score.status = "error"
                score.notes.append(report.reason)


def _read_bytes(path: Path, *, limit: bool = True) -> bytes | str:
    """The file's bytes, or a string saying why it cannot be read (``limit``: refuse a huge file)."""
    try:
        if limit and path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"
        return path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"


def _parse_submission(content: bytes | str) -> dict[str, Any]:
    if isinstance(content, str):
        raise _Refused(f"the notebook {content}")
    try:
        notebook = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise _Refused(f"not a notebook: the file is not valid JSON ({exc})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        if isinstance(notebook, dict) and isinstance(notebook.get("worksheets"), list):
            raise _Refused("an nbformat 3 notebook (open it in Jupyter and save it again, as nbformat 4)")
        raise _Refused("not a notebook: no list of cells")
    if notebook.get("nbformat") != 4:
        raise _Refused(f"nbformat {clean(notebook.get('nbformat'), 20)} is not supported (nbformat 4 is)")
    return notebook


def _parse_master(content: bytes | str, path: str) -> _Master:
    """The master's plan from its bytes (``content`` a string: why they could not be read)."""
    if isinstance(content, str):
        raise MasterError(f"{path} {content}")
    try:
        notebook = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MasterError(f"cannot read {path}: {exc}") from exc
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4 or not isinstance(notebook.get("cells"), list):
        raise MasterError(f"{path} is not an nbformat 4 notebook")
    hidden: dict[str, list[_HiddenTest]] = {}
    written: dict[str, float] = {}
    for index, cell in enumerate(notebook["cells"]):
        meta = _coursework(cell)
        if not isinstance(cell, dict) or "question" not in meta or "points" not in meta:
            continue
        question, points = meta["question"], meta["points"]
        if isinstance(points, bool) or not isinstance(points, int | float) or not 0 < points < math.inf:
            raise MasterError(f"{path}: cell {index}: points must be a positive number, got {points!r}")
        if not isinstance(question, str | int | float) or isinstance(question, bool):
            raise MasterError(f"{path}: cell {index}: question must be a string, got {question!r}")
        question = str(question)
        tags = _tags(cell)
        if HIDDEN_TAG in tags and cell.get("cell_type") == "code":
            source = _source(cell)
            if source is None:
                raise MasterError(f"{path}: cell {index}: the source is not text")
            try:
                code = compile(source, f"<hidden test: master cell {index}>", "exec")
            except SyntaxError as exc:
                raise MasterError(f"{path}: cell {index}: the hidden test is not valid Python: {exc}") from exc
            label = f"hidden test (master cell {index})"
            hidden.setdefault(question, []).append(_HiddenTest(source, code, question, float(points), label))
        elif SOLUTION_TAG in tags and cell.get("cell_type") == "markdown":
            written[question] = written.get(question, 0.0) + float(points)
    if not hidden:
        raise MasterError(f"{path} has no hidden-tests cells with coursework question and points")
    return _Master(str(path), hidden, written)


def _empty_scores(master: _Master) -> list[QuestionScore]:
    scores = [QuestionScore(q, 0.0, sum(t.points for t in tests), "pending") for q, tests in master.hidden.items()]
    scores += [QuestionScore(q + " (written)", 0.0, points, "manual") for q, points in master.written.items()]
    return sorted(scores, key=lambda s: _question_key(s.question))


def _written_answers(master: _Master, notebook: dict[str, Any]) -> dict[str, str]:
    """The text of each written answer: the markdown cells with the question's ``points`` (the answer cells).

    An answer still reading *Write your answer here.* is empty; the text keeps its
    lines, with every other control or invisible character escaped.
    """
    answers: dict[str, list[str]] = {}
    for cell in notebook["cells"]:
        meta = _coursework(cell)
        question = meta.get("question")
        if cell.get("cell_type") != "markdown" or "points" not in meta or not isinstance(question, str | int | float):
            continue
        if str(question) in master.written:
            text = (_source(cell) or "").strip()
            if text and text != MARKDOWN_STUB:
                answers.setdefault(str(question), []).append(
                    "\n".join(clean(line, _MAX_ANSWER) for line in text.splitlines())
                )
    return {f"{q} (written)": "\n\n".join(parts)[:_MAX_ANSWER] for q, parts in answers.items()}


def _grade_one(master: _Master, notebook: dict[str, Any], task: _Task, report: GradeReport) -> None:
    from .kernel import Kernel, KernelStartError
    from .sandbox import Sandbox

    steps = _plan(master, notebook, report.setup_notes)
    scores = {s.question: s for s in _empty_scores(master)}
    report.questions = list(scores.values())
    box = Sandbox(task.content, task.limits, isolate=task.sandbox)
    try:
        visible = [p for p in task.hidden_paths if task.sandbox and box.visible(p)]
        if visible:
            raise _Refused(f"the sandbox would show files it must not (move them): {', '.join(visible)}", public=False)
        try:
            kernel = Kernel(box)
        except KernelStartError as exc:
            raise _Refused(str(exc), public=False) from exc
        cap = time.monotonic() + task.submission_time_limit
        kernel.deadline = cap  # a replay after a restart stops there too
        try:
            _run(master, steps, scores, kernel, report, task.time_limit, cap)
        finally:
            kernel.shutdown()
    finally:
        box.cleanup()
    for score in scores.values():
        if score.status == "pending":
            score.status = "passed" if score.points == score.max_points else "partial" if score.points else "failed"


def _run(
    master: _Master,
    steps: list[_Step],
    scores: dict[str, QuestionScore],
    kernel: Kernel,
    report: GradeReport,
    time_limit: float,
    cap: float,
) -> None:
    from .answers import Mismatch, StudentError, student_session
    from .exchange import request_source

    spent: dict[str | None, float] = {}
    failed: set[str] = set()
    namespace: dict[str, Any] = {"__name__": "__hidden_tests__"}  # shared by the master's hidden cells

    def budget(question: str | None) -> float:
        left = cap - time.monotonic()
        return min(left, time_limit - spent.get(question, 0.0) if question is not None else time_limit)

    def fail(question: str, status: str, note: str, feedback: str | None = None) -> None:
        score = scores[question]
        score.points, score.status = 0.0, status
        score.notes.append(clean(note))
        score.feedback.append(clean(note if feedback is None else feedback))
        failed.add(question)

    def unanswered(request: dict[str, Any]) -> str:
        raise StudentError("not read: the question's own cells failed")

    for step in steps:
        q = step.question if step.tests is None else step.tests
        if q is not None and q in failed:
            if step.tests is not None:
                # No points, but the cells still run up to their first read, so that what they define
                # for later hidden tests (a reference computed once) exists.
                for test in master.hidden[q]:
                    with contextlib.suppress(Exception), student_session(unanswered):
                        exec(test.code, namespace)
            continue
        if time.monotonic() >= cap:
            note = "not run: the submission's time cap was used up"
            if q is None:
                report.setup_notes.append(note)
            else:
                fail(q, "timeout", note)
            continue
        if step.tests is None:
            before = time.monotonic()
            outcome = kernel.run(step.source, max(budget(q), 0.01))
            spent[q] = spent.get(q, 0.0) + time.monotonic() - before
            if outcome.status != "ok":
                note = f"{step.label}: {outcome.status}: {outcome.message}"
                if q is None:
                    report.setup_notes.append(clean(note))
                else:
                    fail(q, outcome.status, note)
            continue

        # The hidden tests of question q, here; each answer is read in the kernel within the budget.
        def exchange(request: dict[str, Any], question: str = q) -> str:
            before = time.monotonic()
            outcome = kernel.run(request_source(request), max(budget(question), 0.01), record=False)
            spent[question] = spent.get(question, 0.0) + time.monotonic() - before
            if outcome.status == "timeout":
                raise _Timeout(outcome.message)
            if outcome.payload is None:
                message = outcome.message or "no answer came back"
                return json.dumps({"$": "raised", "type": "NoAnswer", "message": message})
            return outcome.payload

        score = scores[q]
        for test in master.hidden[q]:
            try:
                with student_session(exchange):
                    exec(test.code, namespace)
            except _Timeout as exc:
                fail(q, "timeout", f"{test.label}: timeout: {exc}", f"timeout: {exc}")
                break
            except Mismatch as exc:
                score.notes.append(clean(f"{test.label}: failed: {exc}"))
                score.feedback.append(clean(f"failed: {exc}"))
            except StudentError as exc:
                score.notes.append(clean(f"{test.label}: error: {exc}"))
                score.feedback.append(clean(f"error: {exc}"))
            except Exception as exc:  # an answer of an unexpected kind made the instructor's code raise
                score.notes.append(clean(f"{test.label}: error: {type(exc).__name__}: {exc}"))
                # What the instructor's code raised may quote the expected values: the student gets no details.
                score.feedback.append("error: the answer could not be checked (not of the kind the question asks)")
            else:
                score.points += test.points


def format_report(report: GradeReport) -> str:
    """A plain-text score table; every student-controlled text in it is escaped."""
    sandbox = "" if report.sandboxed else ", NOT SANDBOXED"
    lines = [
        f"{clean(report.submission, 1000)}  (master {clean(report.master, 1000)}, "
        f"{report.time_limit:g} s per question{sandbox})",
    ]
    if report.status == "refused":
        lines.append(f"not graded: {clean(report.reason, 500)}")
    lines.append(f"{'question':<14}{'score':>7}{'max':>7}  status")
    manual = []
    for q in report.questions:
        if q.status == "manual":
            manual.append(q)
            lines.append(f"{clean(q.question, 14):<14}{'-':>7}{q.max_points:>7g}  graded by hand")
            continue
        lines.append(f"{clean(q.question, 14):<14}{q.points:>7g}{q.max_points:>7g}  {q.status}")
        lines.extend(f"{'':<14}  {clean(note)}" for note in q.notes)
    lines.append(f"{'total':<14}{report.total:>7g}{report.max_total:>7g}  ({report.seconds:g} s)")
    if manual:
        lines.append(f"plus {sum(q.max_points for q in manual):g} points graded by hand")
    lines.extend(f"setup: {clean(note)}" for note in report.setup_notes)
    return "\n".join(lines)


def write_gradebook(path: str | Path, master: str | Path, reports: list[GradeReport]) -> None:
    """Write the reports as JSON, atomically (a reader never sees half a file)."""
    path = Path(path)
    data = {"master": str(master), "reports": [report.to_json() for report in reports]}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=1) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _coursework(cell: Any) -> dict[str, Any]:
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    meta = metadata.get("coursework") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def _tags(cell: dict[str, Any]) -> list[str]:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _source(cell: dict[str, Any]) -> str | None:
    source = cell.get("source", "")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return None


def _plan(master: _Master, submission: dict[str, Any], notes: list[str]) -> list[_Step]:
    """The submission's code cells in order, with a test step after each question's last cell."""
    steps: list[_Step] = []
    last_cell: dict[str, int] = {}
    seen: set[str] = set()
    for index, cell in enumerate(submission["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        tags = _tags(cell)
        if HIDDEN_TAG in tags or INSTRUCTOR_TAG in tags:
            continue  # a submission cannot bring cells that only a master may have
        source = _source(cell)
        if source is None:
            notes.append(f"cell {index}: its source is not text; skipped")
            continue
        question = _coursework(cell).get("question")
        question = str(question) if isinstance(question, str | int | float) and not isinstance(question, bool) else None
        if question is not None:
            seen.add(question)
        question = question if question in master.hidden else None
        steps.append(_Step(source, question, f"cell {index}"))
        if question is not None:
            last_cell[question] = len(steps)
    if seen and not seen & (set(master.hidden) | set(master.written)):
        raise _Refused(
            f"wrong assignment: this notebook's questions are {', '.join(sorted(seen, key=_question_key))}, "
            f"the master's are {', '.join(sorted(master.hidden, key=_question_key))}"
        )
    for q, position in sorted(last_cell.items(), key=lambda item: -item[1]):
        steps.insert(position, _Step("", None, f"tests of {q}", tests=q))
    steps.extend(_Step("", None, f"tests of {q}", tests=q) for q in master.hidden if q not in last_cell)
    return steps


def _question_key(question: str | None) -> tuple:
    parts = str(question).split(" ")[0].split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts), str(question)
