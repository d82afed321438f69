"""Execute a book chapter in a fresh kernel with a prelude cell run first (sabotage, other seeds)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[2] / "book"
CELL_TIMEOUT_S = 600


def execute_chapter(chapter: str, prelude: str, edit: Callable[[nbformat.NotebookNode], None] | None = None) -> None:
    """Run ``book/<chapter>.ipynb`` as nbval and the book build do, ``prelude`` first.

    ``edit``, if given, changes the notebook (in place) before the prelude is put first. Raises
    nbclient's ``CellExecutionError`` (with the traceback of the failing cell) on an error.
    """
    nb = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    if edit is not None:
        edit(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell(prelude))
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}
    )
    client.execute()


@pytest.fixture
def run_chapter():
    return execute_chapter
