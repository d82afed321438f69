"""Student versions of the assignment masters, and the leak guard that checks them.

A master (``book/assignments/*.ipynb``) marks its secrets with cell tags:

- ``solution``: the cell holds one or more regions between a ``# BEGIN SOLUTION``
  and a ``# END SOLUTION`` line (``<!-- BEGIN SOLUTION -->`` in markdown). Each
  region is replaced by a stub: inside a function body (an indented marker)
  ``raise NotImplementedError``; at the top level of a code cell one line
  ``name = ...`` for every name the region assigns (names starting with ``_``
  stay private); in markdown the line ``*Write your answer here.*``;
- ``hidden-tests`` and ``instructor``: the whole cell is dropped.

The student version has no outputs, no execution counts, no saved widget
state and only whitelisted metadata, and is written as deterministic bytes
(sorted keys, one-space indent, the layout of ``nbformat``), so that running
the maker twice changes nothing. Top-level stubs assign ``...`` rather than
raise, so "Run All" on a fresh student notebook completes: the self-checks
(:mod:`langevin_lib.coursework.self_check`) report "not answered yet".

This module needs only the standard library, so ``make-student`` runs
anywhere ``langevin_lib`` is installed.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from pathlib import Path
from typing import Any

__all__ = [
    "HIDDEN_TAG",
    "INSTRUCTOR_TAG",
    "SOLUTION_TAG",
    "CourseworkError",
    "check_no_leaks",
    "make_student",
    "make_student_dir",
    "notebook_bytes",
]

SOLUTION_TAG = "solution"
HIDDEN_TAG = "hidden-tests"
INSTRUCTOR_TAG = "instructor"
NBVAL_CHECK_TAG = "nbval-check-output"
MARKDOWN_STUB = "*Write your answer here.*"

_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?:#|<!--)[ \t]*(?P<kind>BEGIN|END) SOLUTION[ \t]*(?:-->)?[ \t]*$")
_MARKER_WORDS = re.compile(r"(BEGIN|END)\s+SOLUTION", re.IGNORECASE)
# Cell metadata a student version keeps; everything else (execution timings,
# widget views, scroll state, an editor's private keys) is dropped.
_CELL_METADATA = ("coursework", "deletable", "editable", "mystnb", "tags")
_NOTEBOOK_METADATA = ("kernelspec", "language_info")
# A secret line shorter than this is too generic (``return x``, ``)``) to mean a leak.
_MIN_SECRET_CHARS = 12


class CourseworkError(ValueError):
    """A master that cannot safely be turned into a student version."""


def make_student(master: dict[str, Any], name: str = "master") -> dict[str, Any]:
    """Return the student version of a master notebook (a JSON dict, nbformat 4).

    Parameters
    ----------
    master : dict
        The master notebook as read by ``json.load``.
    name : str
        How error messages name the master (its path).

    Raises
    ------
    CourseworkError
        If a solution marker is unbalanced, nested or malformed, if markers sit
        in a cell without the ``solution`` tag (or a ``solution`` cell has
        none), or if the leak guard finds a secret in the result. The message
        names the cell.
    """
    if master.get("nbformat") != 4:
        raise CourseworkError(f"{name}: only nbformat 4 notebooks are supported, got {master.get('nbformat')!r}")
    cells = []
    for index, cell in enumerate(master.get("cells", [])):
        tags = _tags(cell)
        if HIDDEN_TAG in tags or INSTRUCTOR_TAG in tags:
            continue
        where = _describe(name, index, cell)
        lines = _source(cell).splitlines()
        regions = _solution_regions(lines, where)
        if regions and SOLUTION_TAG not in tags:
            raise CourseworkError(f"{where}: has solution markers but no '{SOLUTION_TAG}' tag")
        if SOLUTION_TAG in tags and not regions:
            raise CourseworkError(f"{where}: is tagged '{SOLUTION_TAG}' but has no BEGIN/END SOLUTION markers")
        source = "\n".join(_replace_regions(lines, regions, cell, where))
        cells.append(_student_cell(cell, index, source))
    student = {
        "cells": cells,
        "metadata": {k: master["metadata"][k] for k in _NOTEBOOK_METADATA if k in master.get("metadata", {})},
        "nbformat": 4,
        "nbformat_minor": max(5, int(master.get("nbformat_minor", 5))),
    }
    check_no_leaks(master, student, name)
    return student


def check_no_leaks(master: dict[str, Any], student: dict[str, Any], name: str = "master") -> None:
    """Raise :class:`CourseworkError` if anything secret of ``master`` survives in ``student``.

    Secret: every line of a solution region and of a ``hidden-tests`` or
    ``instructor`` cell, except lines the master also shows publicly (an
    import repeated in a hidden test, say) and lines too short to identify
    anything. The student version must also carry no solution markers, no
    secret tags, no outputs and no widget state.
    """
    public, secret = set(), {}
    for index, cell in enumerate(master.get("cells", [])):
        tags = _tags(cell)
        lines = _source(cell).splitlines()
        if HIDDEN_TAG in tags or INSTRUCTOR_TAG in tags:
            for line in lines:
                secret.setdefault(line.strip(), _describe(name, index, cell))
            continue
        inside = False
        for line in lines:
            match = _MARKER.match(line)
            if match:
                inside = match["kind"] == "BEGIN"
            elif inside:
                secret.setdefault(line.strip(), _describe(name, index, cell))
            else:
                public.add(line.strip())
    if "widgets" in student.get("metadata", {}):
        raise CourseworkError(f"{name}: the student version still carries saved widget state")
    for index, cell in enumerate(student.get("cells", [])):
        where = f"{name}: student cell {index} (id {cell.get('id')!r})"
        if cell.get("outputs") or cell.get("execution_count") is not None:
            raise CourseworkError(f"{where}: still has outputs or an execution count")
        leaked_tags = {SOLUTION_TAG, HIDDEN_TAG, INSTRUCTOR_TAG} & set(_tags(cell))
        if leaked_tags:
            raise CourseworkError(f"{where}: still carries the tag(s) {sorted(leaked_tags)}")
        text = _source(cell)
        if _MARKER_WORDS.search(text):
            raise CourseworkError(f"{where}: still contains a solution marker")
        for line in text.splitlines():
            origin = secret.get(line.strip())
            if origin and line.strip() not in public and len(line.strip()) >= _MIN_SECRET_CHARS:
                raise CourseworkError(f"{where}: the secret line {line.strip()!r} from {origin} survives")


def notebook_bytes(notebook: dict[str, Any]) -> bytes:
    """Serialise like ``nbformat.writes`` (sorted keys, indent 1, source as lines), deterministically."""
    cells = [{**cell, "source": _source(cell).splitlines(keepends=True)} for cell in notebook["cells"]]
    return (json.dumps({**notebook, "cells": cells}, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


def make_student_dir(masters_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the student version of every ``*.ipynb`` in ``masters_dir`` to ``out_dir`` (same file names).

    Every master is converted and checked before anything is written, so a
    refused master leaves ``out_dir`` untouched. Files whose bytes would not
    change are not rewritten (their modification time stays).

    Returns
    -------
    list of Path
        The student notebooks, sorted by name.
    """
    masters = sorted(Path(masters_dir).glob("*.ipynb"))
    if not masters:
        raise CourseworkError(f"no master notebooks (*.ipynb) in {masters_dir}")
    outputs = {}
    for path in masters:
        master = json.loads(path.read_text(encoding="utf-8"))
        outputs[Path(out_dir) / path.name] = notebook_bytes(make_student(master, str(path)))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for target, data in outputs.items():
        if not (target.exists() and target.read_bytes() == data):
            target.write_bytes(data)
    return sorted(outputs)


def _solution_regions(lines: list[str], where: str) -> list[tuple[int, int, str]]:
    """``(begin, end, indent)`` line numbers of each marked region; refuse unbalanced or nested markers."""
    regions, begin = [], None
    for number, line in enumerate(lines):
        match = _MARKER.match(line)
        if match is None:
            if _MARKER_WORDS.search(line):
                raise CourseworkError(
                    f"{where}: line {number + 1} mentions a solution marker but is not one "
                    f"(write '# BEGIN SOLUTION' or '# END SOLUTION' alone on its line): {line.strip()!r}"
                )
            continue
        if match["kind"] == "BEGIN":
            if begin is not None:
                raise CourseworkError(
                    f"{where}: nested solution markers: BEGIN SOLUTION on line {number + 1} "
                    f"inside the region opened on line {begin[0] + 1}"
                )
            begin = (number, match["indent"])
        else:
            if begin is None:
                raise CourseworkError(f"{where}: unbalanced markers: END SOLUTION on line {number + 1} without BEGIN")
            regions.append((begin[0], number, begin[1]))
            begin = None
    if begin is not None:
        raise CourseworkError(f"{where}: unbalanced markers: BEGIN SOLUTION on line {begin[0] + 1} is never closed")
    return regions


def _replace_regions(lines: list[str], regions: list[tuple[int, int, str]], cell: dict, where: str) -> list[str]:
    out, previous = [], 0
    for begin, end, indent in regions:
        out.extend(lines[previous:begin])
        out.extend(_stub(lines[begin + 1 : end], indent, cell, where))
        previous = end + 1
    out.extend(lines[previous:])
    return out


def _stub(region: list[str], indent: str, cell: dict, where: str) -> list[str]:
    if cell.get("cell_type") == "markdown":
        return [MARKDOWN_STUB]
    question = cell.get("metadata", {}).get("coursework", {}).get("question")
    if indent:
        label = f" (question {question})" if question else ""
        return [f'{indent}raise NotImplementedError("write this part{label}")']
    try:
        tree = ast.parse(textwrap.dedent("\n".join(region)))
    except SyntaxError as exc:
        raise CourseworkError(f"{where}: a top-level solution region must be valid Python on its own: {exc}") from exc
    names: list[str] = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            raise CourseworkError(
                f"{where}: the solution region defines {statement.name!r}; put the def line (and docstring) "
                "outside the markers and mark only the body"
            )
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name) and not node.id.startswith("_") and node.id not in names:
                    names.append(node.id)
    return [f"{name} = ..." for name in names] or ["..."]


def _student_cell(cell: dict[str, Any], index: int, source: str) -> dict[str, Any]:
    metadata = {k: cell["metadata"][k] for k in _CELL_METADATA if k in cell.get("metadata", {})}
    # A student version has no outputs to compare, so nbval's output check means nothing there.
    tags = [t for t in metadata.get("tags", []) if t not in (SOLUTION_TAG, NBVAL_CHECK_TAG)]
    if tags:
        metadata["tags"] = tags
    else:
        metadata.pop("tags", None)
    # nbformat 4.5 needs cell ids; derive missing ones from the position, never at random.
    out = {"cell_type": cell["cell_type"], "id": cell.get("id") or f"cell-{index}", "metadata": metadata}
    out["source"] = source
    if cell["cell_type"] == "code":
        out.update(execution_count=None, outputs=[])
    return out


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _describe(name: str, index: int, cell: dict[str, Any]) -> str:
    first = next((line.strip() for line in _source(cell).splitlines() if line.strip()), "")
    return f"{name}: cell {index} (id {cell.get('id')!r}, starting {first[:50]!r})"
