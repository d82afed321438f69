"""``python -m langevin_lib.coursework {make-student,grade}``: the instructor's two commands."""

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
    grade.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    grade.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run the submissions without the bwrap sandbox, with your permissions: only for notebooks you trust",
    )
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

    from .grader import format_report, grade_batch, write_gradebook
    from .sandbox import Limits, SandboxUnavailable

    reports = []

    def show(report) -> None:
        print(format_report(report), end="\n\n", flush=True)
        reports.append(report)
        if args.json:  # after every submission, so an interrupted batch keeps what it graded
            write_gradebook(args.json, args.master, reports)

    if args.unsafe_no_sandbox:
        print("WARNING: --unsafe-no-sandbox: the submissions run with your permissions.", file=sys.stderr)
    try:
        limits = Limits(memory_mb=args.memory_limit, cpu_seconds=int(args.submission_time_limit) + 60)
        grade_batch(
            args.master,
            args.submissions,
            time_limit=args.time_limit,
            submission_time_limit=args.submission_time_limit,
            sandbox=not args.unsafe_no_sandbox,
            limits=limits,
            secrets=[args.json] if args.json else [],
            on_report=show,
        )
    except (SandboxUnavailable, ValueError) as exc:
        print(f"grade refused: {exc}", file=sys.stderr)
        return 2
    return 0 if all(report.status == "graded" for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
