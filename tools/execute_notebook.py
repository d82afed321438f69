"""Execute book notebooks in place, as they are committed: outputs stored, timing metadata dropped.

The chapters are committed executed (nbval compares the outputs of ``nbval-check-output`` cells, and
the book renders the stored outputs). After a change to a chapter or to the library it uses, run ::

    python tools/execute_notebook.py book/03_converged_loss.ipynb [more.ipynb ...]

from the repository root with the project's environment (``.venv/bin/python``). Each notebook runs
in a fresh ``python3`` kernel with its own folder as working directory, the way nbval and the book
build run it; a cell that raises (a failed claim check, say) stops the run, prints the error and
leaves the file untouched. The per-cell ``execution`` timestamps Jupyter records are dropped, so
that a re-run changes the file only where an output changed. The run time of each notebook is
printed, for the "execution time must not grow" checks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_S = 900  # the longest chapter cell (chapter 6's sweep) takes about a minute on 2 cores


def execute(path: Path) -> float:
    """Execute ``path`` in place; return the wall time in seconds. Raises CellExecutionError on an error."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        try:
            print(f"{path}: executed in {execute(path):.1f} s")
        except CellExecutionError as error:
            print(f"{path}: FAILED, file left unchanged\n{error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
