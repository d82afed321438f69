"""Grading a class: one by one (the baseline), with ``-j 2`` worker processes, and on a local Dask cluster.

30 submissions of assignment 1 (half its master, which scores full marks, half
the untouched student version), each in its own sandboxed kernel, on a
machine with 2 cores. Target: ``-j 2`` within 0.75x of the serial time (the
kernels' start-up and the cells, not the grader, take the time, so 2 cores
cannot give 2x). Every way must write the same gradebook bytes.
Run: ``make bench`` (or ``python benchmarks/bench_grading.py [N]``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _timing import report

from langevin_lib.coursework import make_student
from langevin_lib.coursework.gradebook import Gradebook
from langevin_lib.coursework.grader import grade_batch

MASTER = Path(__file__).resolve().parents[1] / "book" / "assignments" / "01_gradient_flow_assignment.ipynb"


def grade_class(master: Path, paths: list[Path], **how) -> tuple[float, bytes]:
    """Seconds to grade ``paths``, and the gradebook they make."""
    start = time.perf_counter()
    reports = grade_batch(master, paths, time_limit=120, **how)
    seconds = time.perf_counter() - start
    book = Gradebook()
    for path, graded in zip(paths, reports, strict=True):
        book.record(path.stem, graded)
    return seconds, book.json_bytes()


def main(n: int = 30) -> int:
    master = json.loads(MASTER.read_text())
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        paths = []
        for i in range(n):
            path = Path(tmp) / f"student{i:02d}.ipynb"
            path.write_text(json.dumps(master if i % 2 == 0 else make_student(master)))
            paths.append(path)
        serial, expected = grade_class(MASTER, paths)
        parallel, book = grade_class(MASTER, paths, jobs=2)
        ok = report(f"grade {n} submissions, -j 2 vs serial", parallel, serial, 0.75)
        if book != expected:
            print("-j 2 wrote another gradebook than the serial run: FAILED")
            ok = False
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            print("dask.distributed is not installed: no cluster run (pip install 'langevin-lib[cluster]')")
            return 0 if ok else 1
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
            Client(cluster) as client,
        ):
            on_dask, book = grade_class(MASTER, paths, client=client)
        ok &= report(f"grade {n} submissions, Dask (2 workers) vs serial", on_dask, serial, 0.75)
        if book != expected:
            print("Dask wrote another gradebook than the serial run: FAILED")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:2])))
