"""The set-up cell that makes a notebook runnable in Colab and Binder.

A notebook opened from a launch button runs on a machine that may not have
``langevin_lib``. Every book notebook therefore starts its code with one
set-up cell that installs the library from the course repository, and only
when ``import langevin_lib`` fails: locally, under nbval and in the book build
the library is installed (``pip install -e .``), so the cell does nothing and
never touches the network.

The repository URL is written in exactly one place, ``repository.url`` (and
``repository.branch``) in ``_config.yml``. This module writes the cell from
that setting, so a fork changes the URL there and runs::

    python tools/launch.py            # rewrite the cell in every book notebook
    python tools/launch.py --check    # exit 1 if some notebook is out of date

This is a maintainer's tool (it needs PyYAML and nbformat, which the book
toolchain installs); nothing in the chapters imports it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "SETUP_TAG",
    "book_notebooks",
    "read_repository",
    "setup_cell_source",
    "sync_notebook",
]

#: The tag that marks the set-up cell (cell ids may be renumbered by tools, tags survive).
SETUP_TAG = "launch-setup"
#: Readers of the HTML book do not need the cell; Jupyter Book drops cells with this tag.
_HIDE_TAG = "remove-cell"
_ROOT = Path(__file__).resolve().parent.parent


def read_repository(config: str | Path = _ROOT / "_config.yml") -> tuple[str, str]:
    """Return ``(url, branch)`` of ``repository`` in the book's ``_config.yml``.

    Parameters
    ----------
    config : str or Path
        The Jupyter Book configuration file.

    Returns
    -------
    url : str
        The repository URL without a trailing slash or ``.git``.
    branch : str
        The branch to install from (``main`` when the file does not say).
    """
    import yaml  # a dependency of Jupyter Book, not of the library

    with open(config, encoding="utf-8") as fh:
        settings = yaml.safe_load(fh) or {}
    repository = settings.get("repository") or {}
    url = str(repository.get("url") or "").strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"repository.url in {config} must be an http(s) URL of the course repository, got {url!r}")
    url = url.removesuffix(".git")
    branch = str(repository.get("branch") or "main").strip()
    return url, branch


def setup_cell_source(url: str, branch: str) -> str:
    """The source of the set-up cell that installs ``langevin_lib`` from ``url`` at ``branch``."""
    return (
        "# Set-up for Colab and Binder: install the course library only if it is missing.\n"
        "# Locally and in the book build the library is installed and this cell does nothing.\n"
        "# (Written by `python tools/launch.py` from _config.yml's repository.url: do not edit.)\n"
        "try:\n"
        "    import langevin_lib  # noqa: F401 (only: is it installed?)\n"
        "except ImportError:\n"
        # A variable keeps the line within the page width; IPython expands {source} in the magic.
        f'    source = "git+{url}@{branch}"\n'
        '    %pip install --quiet "langevin-lib @ {source}"\n'
        "    try:  # Colab draws ipywidgets 8 controls only with its custom widget manager\n"
        "        from google.colab import output\n"
        "\n"
        "        output.enable_custom_widget_manager()\n"
        "    except ImportError:\n"
        "        pass"
    )


def _setup_cell(source: str):
    import nbformat

    cell = nbformat.v4.new_code_cell(source, id=SETUP_TAG)
    cell.metadata["tags"] = [_HIDE_TAG, SETUP_TAG]
    return cell


def sync_notebook(path: str | Path, source: str, *, write: bool = True) -> bool:
    """Make the first code cell of the notebook at ``path`` the set-up cell with ``source``.

    An existing cell tagged :data:`SETUP_TAG` is updated in place (its outputs
    cleared); otherwise the cell is inserted before the first code cell, so
    that the title and the opening text stay on top.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file.
    source : str
        The cell's source, from :func:`setup_cell_source`.
    write : bool
        Write the file when it changes; ``False`` only reports.

    Returns
    -------
    bool
        Whether the notebook was (or, with ``write=False``, would be) changed.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    tagged = [i for i, c in enumerate(cells) if SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    wanted = _setup_cell(source)
    if len(tagged) == 1 and code and tagged[0] == code[0]:
        cell = cells[tagged[0]]
        # Execution counts are left alone: executed chapters are committed with them.
        if cell.source == source and set(wanted.metadata["tags"]) <= set(cell.metadata.get("tags", [])):
            return False
        cell.source = source
        cell.outputs = []
        cell.execution_count = None
        cell.metadata["tags"] = list(dict.fromkeys([*cell.metadata.get("tags", []), *wanted.metadata["tags"]]))
    else:
        for i in reversed(tagged):  # a misplaced or duplicated set-up cell
            del cells[i]
        first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        cells.insert(first_code, wanted)
    if write:
        nbformat.write(nb, path)
    return True


def book_notebooks(root: str | Path = _ROOT) -> list[Path]:
    """The notebooks under ``root/book`` that git tracks (all of them outside a git checkout)."""
    root = Path(root)
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", "book/*.ipynb", "book/**/*.ipynb"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        paths = sorted({root / p for p in listed})
    except (OSError, subprocess.CalledProcessError):
        paths = sorted(p for p in (root / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/launch.py",
        description="Write the Colab/Binder set-up cell, built from repository.url in _config.yml, into notebooks.",
    )
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks to update (default: every tracked notebook under book/)"
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    parser.add_argument("--config", type=Path, default=_ROOT / "_config.yml", help="the book's _config.yml")
    args = parser.parse_args(argv)
    source = setup_cell_source(*read_repository(args.config))
    notebooks: Iterable[Path] = args.notebooks or book_notebooks(args.config.resolve().parent)
    changed = [p for p in notebooks if sync_notebook(p, source, write=not args.check)]
    verb = "out of date" if args.check else "updated"
    for p in changed:
        print(f"{verb}: {p}")
    if args.check and changed:
        print("Run `python tools/launch.py` to rewrite the set-up cells.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
