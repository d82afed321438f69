"""Coursework: the students' self-checks, student versions of the assignment masters, and an autograder.

Students check an answer with ``from langevin_lib.coursework import check`` (see
:mod:`langevin_lib.coursework.self_check`).

Command line (see ``book/instructors.md``)::

    python -m langevin_lib.coursework make-student MASTERS_DIR OUT_DIR
    python -m langevin_lib.coursework grade MASTER SUBMISSION [SUBMISSION ...] [--gradebook FILE] [-j N]
    python -m langevin_lib.coursework manual-sheet GRADEBOOK SHEET
    python -m langevin_lib.coursework merge GRADEBOOK SHEET
    python -m langevin_lib.coursework feedback GRADEBOOK OUT_DIR

The student maker needs only the standard library. The grader
(:mod:`~langevin_lib.coursework.grader`) needs ``jupyter_client`` and
``ipykernel`` (installed with Jupyter) and Debian's ``bwrap``: every submission's
kernel runs in a sandbox (:mod:`~langevin_lib.coursework.sandbox`), and the
hidden tests run in the grader, written in the vocabulary of
:mod:`~langevin_lib.coursework.answers`, reading answers by value through
:mod:`~langevin_lib.coursework.exchange`. None of them is imported by
``import langevin_lib``.

A class's results go to a gradebook (:mod:`~langevin_lib.coursework.gradebook`),
the written answers are scored by hand through a sheet
(:mod:`~langevin_lib.coursework.manual`), each student gets a feedback file
(:mod:`~langevin_lib.coursework.feedback`), and submissions are graded in
parallel or on a Dask cluster by :mod:`~langevin_lib.coursework.workers`.
"""

from .self_check import check
from .student import CourseworkError, check_no_leaks, make_student, make_student_dir, notebook_bytes

__all__ = ["CourseworkError", "check", "check_no_leaks", "make_student", "make_student_dir", "notebook_bytes"]
