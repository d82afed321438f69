"""``python -m langevin_lib.coursework``: the instructor's commands, from the student versions to the feedback.

make-student, grade (into a class gradebook, with -j workers or on a Dask
cluster), manual-sheet and merge (written answers graded by hand), feedback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .student import CourseworkError, make_student_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m langevin_lib.coursework", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("make-student", help="write the student version of every master in a folder")
    student.add_argument("masters_dir", type=Path)
    student.add_argument("out_dir", type=Path)
    grade = commands.add_parser("grade", help="grade submissions with the hidden tests of a master")
    grade.add_argument("master", type=Path)
    grade.add_argument("submissions", type=Path, nargs="+", metavar="SUBMISSION")
    grade.add_argument("--time-limit", type=float, default=60.0, help="seconds per question (default 60)")
    grade.add_argument(
        "--submission-time-limit", type=float, default=600.0, help="seconds per submission (default 600)"
    )
    grade.add_argument("--memory-limit", type=int, default=4096, help="MiB of memory per process (default 4096)")
    grade.add_argument("--json", type=Path, help="also write the full reports to this JSON file")
    grade.add_argument(
        "--gradebook",
        type=Path,
        help="record the scores in this class gradebook (JSON, with a CSV beside it), created or updated",
    )
    grade.add_argument(
        "--id-pattern",
        default=None,
        help="regular expression for the file name, with a group (?P<id>...) giving the student id "
        "(default: the file name without .ipynb)",
    )
    grade.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    grade.add_argument(
        "--dask-scheduler", metavar="ADDRESS", help="grade on this Dask cluster (tcp://host:8786) instead"
    )
    grade.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run the submissions without the bwrap sandbox, with your permissions: only for notebooks you trust",
    )
    sheet = commands.add_parser("manual-sheet", help="write the written answers to score by hand, as a CSV sheet")
    sheet.add_argument("gradebook", type=Path)
    sheet.add_argument("sheet", type=Path)
    merge = commands.add_parser("merge", help="put the scores of a filled manual sheet into the gradebook")
    merge.add_argument("gradebook", type=Path)
    merge.add_argument("sheet", type=Path)
    feedback = commands.add_parser("feedback", help="write one Markdown feedback file per student")
    feedback.add_argument("gradebook", type=Path)
    feedback.add_argument("out_dir", type=Path)
    feedback.add_argument("--master", type=Path, help="the master for the leak guard (default: the gradebook's)")
    args = parser.parse_args(argv)

    if args.command == "make-student":
        try:
            written = make_student_dir(args.masters_dir, args.out_dir)
        except CourseworkError as exc:
            print(f"make-student refused, nothing written: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path}")
        return 0
    if args.command == "grade":
        return _grade(args)
    return _class_command(args)


def _grade(args: argparse.Namespace) -> int:
    from .gradebook import DEFAULT_ID_PATTERN, Gradebook, csv_path, student_ids
    from .grader import format_report, grade_batch, write_gradebook
    from .sandbox import Limits, SandboxUnavailable

    reports = []
    book, ids, problem = None, [], []
    try:
        if args.gradebook:
            ids = student_ids(args.submissions, args.id_pattern or DEFAULT_ID_PATTERN)
            book = Gradebook.load(args.gradebook)
        elif args.id_pattern:
            raise ValueError("--id-pattern needs --gradebook")
        client = _dask_client(args.dask_scheduler) if args.dask_scheduler else None
    except (ImportError, OSError, ValueError) as exc:
        print(f"grade refused: {exc}", file=sys.stderr)
        return 2

    def show(report) -> None:
        print(format_report(report), end="\n\n", flush=True)
        reports.append(report)
        # After every submission, so an interrupted batch keeps what it graded.
        if args.json:
            write_gradebook(args.json, args.master, reports)
        if book is not None and not problem:
            try:
                book.record(ids[len(reports) - 1], report)
            except ValueError as exc:  # another assignment's gradebook: leave it untouched
                problem.append(str(exc))
                return
            book.save(args.gradebook)

    if args.unsafe_no_sandbox:
        print("WARNING: --unsafe-no-sandbox: the submissions run with your permissions.", file=sys.stderr)
    secrets = [args.json] if args.json else []
    if args.gradebook:
        secrets += [args.gradebook, csv_path(args.gradebook)]
    try:
        limits = Limits(memory_mb=args.memory_limit, cpu_seconds=int(args.submission_time_limit) + 60)
        grade_batch(
            args.master,
            args.submissions,
            time_limit=args.time_limit,
            submission_time_limit=args.submission_time_limit,
            sandbox=not args.unsafe_no_sandbox,
            limits=limits,
            secrets=secrets,
            on_report=show,
            jobs=args.jobs,
            client=client,
        )
    except (SandboxUnavailable, ValueError) as exc:
        print(f"grade refused: {exc}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            client.close()
    if problem:
        print(f"the gradebook was not updated: {problem[0]}", file=sys.stderr)
        return 2
    if book is not None:
        print(f"gradebook: {args.gradebook} and {csv_path(args.gradebook)} ({len(book.students)} students)")
    return 0 if all(report.status == "graded" for report in reports) else 1


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError("--dask-scheduler needs dask.distributed: pip install 'langevin-lib[cluster]'") from exc
    return Client(address)


def _class_command(args: argparse.Namespace) -> int:
    """manual-sheet, merge, feedback: each reads the gradebook, and writes nothing when it refuses."""
    from .feedback import write_feedback
    from .gradebook import Gradebook
    from .manual import merge_sheet, write_sheet

    try:
        if not args.gradebook.exists():
            raise ValueError(f"{args.gradebook}: no such gradebook (grade with --gradebook first)")
        book = Gradebook.load(args.gradebook)
        if args.command == "manual-sheet":
            count = write_sheet(book, args.sheet)
            print(f"wrote {args.sheet}: {count} written answers to score")
        elif args.command == "merge":
            count = merge_sheet(book, args.sheet)
            book.save(args.gradebook)
            print(f"merged {count} scores from {args.sheet} into {args.gradebook}")
        else:
            for path in write_feedback(book, args.out_dir, args.master):
                print(f"wrote {path}")
    except ValueError as exc:
        print(f"{args.command} refused, nothing written: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
