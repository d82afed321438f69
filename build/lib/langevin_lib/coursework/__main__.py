"""``python -m langevin_lib.coursework {make-student,grade}``: the instructor's two commands."""

from __future__ import annotations

import argparse
import json
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
    grade.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    grade.add_argument("--json", type=Path, help="also write the scores to this JSON file")
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

    from .grader import format_report
    from .grader import grade as grade_one

    reports = []
    for submission in args.submissions:
        report = grade_one(args.master, submission, time_limit=args.time_limit, kernel_name=args.kernel)
        print(format_report(report), end="\n\n")
        reports.append(report.to_json())
    if args.json:
        args.json.write_text(json.dumps({"master": str(args.master), "reports": reports}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
