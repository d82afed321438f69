"""The six course masters, graded for real: full marks for their solutions, zero for their student versions.

The one slow test of the grader (twelve sandboxed kernels, the solutions computed in them and the
references in the grader); the cheats are tested on a tiny synthetic master instead.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write

from langevin_lib.coursework import make_student
from langevin_lib.coursework.grader import grade_batch

ROOT = Path(__file__).resolve().parents[2]
MASTERS = sorted((ROOT / "book" / "assignments").glob("*.ipynb"))


def test_masters_score_full_marks_and_their_student_versions_zero(sandbox_ready, tmp_path):
    assert len(MASTERS) == 6
    for master in MASTERS:
        blank = write(tmp_path, f"blank-{master.name}", make_student(json.loads(master.read_text())))
        solved, empty = grade_batch(master, [master, blank], time_limit=120)
        assert solved.status == "graded" and solved.total == solved.max_total > 0, (
            master.name,
            [(q.question, q.points, q.notes) for q in solved.questions],
        )
        assert all(q.status in ("passed", "manual") for q in solved.questions)
        assert empty.total == 0 and empty.max_total == solved.max_total, master.name
        assert {q.status for q in empty.questions} <= {"failed", "manual"}, master.name
