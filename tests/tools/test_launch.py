"""The Colab/Binder set-up cell: built from _config.yml, installs only when needed, in sync everywhere."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

_SPEC = importlib.util.spec_from_file_location("launch", Path(__file__).resolve().parents[2] / "tools" / "launch.py")
launch = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(launch)

ROOT = Path(__file__).resolve().parents[2]
URL, BRANCH = "https://example.org/someone/fork", "teaching"


def test_repository_is_read_from_config():
    # An independent, line-based reading of the repository block of _config.yml.
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    block = re.search(r"^repository:\n((?:[ \t]+.*\n)+)", text, flags=re.MULTILINE).group(1)
    url = re.search(r"^\s+url:\s*(\S+)", block, flags=re.MULTILINE).group(1)
    branch = re.search(r"^\s+branch:\s*(\S+)", block, flags=re.MULTILINE).group(1)
    assert launch.read_repository(ROOT / "_config.yml") == (url.rstrip("/"), branch)


def test_repository_url_must_be_a_web_address(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: not-a-url\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"repository\.url"):
        launch.read_repository(config)


def _run_cell(source: str, *, importable: bool, monkeypatch) -> list[tuple[str, str]]:
    """Run the cell as IPython would, recording the magics it calls instead of running pip."""
    calls: list[tuple[str, str]] = []
    namespace: dict = {}

    class FakeShell:
        def run_line_magic(self, name, line, *args):
            # IPython expands {expression} in a magic's line from the cell's namespace (var_expand).
            calls.append((name, line.format_map(namespace)))

    if not importable:
        monkeypatch.setitem(sys.modules, "langevin_lib", None)  # makes `import langevin_lib` raise ImportError
    code = TransformerManager().transform_cell(source)
    namespace["get_ipython"] = FakeShell
    exec(compile(code, "<setup-cell>", "exec"), namespace)
    return calls


def test_setup_cell_does_nothing_where_the_library_is_installed(monkeypatch):
    source = launch.setup_cell_source(URL, BRANCH)
    assert _run_cell(source, importable=True, monkeypatch=monkeypatch) == []


def test_setup_cell_installs_from_the_configured_repository_when_missing(monkeypatch):
    source = launch.setup_cell_source(URL, BRANCH)
    calls = _run_cell(source, importable=False, monkeypatch=monkeypatch)
    assert calls == [("pip", f'install --quiet "langevin-lib @ git+{URL}@{BRANCH}"')]


def _notebook(path: Path, cells) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_sync_inserts_before_the_first_code_cell_and_is_idempotent(tmp_path):
    path = _notebook(
        tmp_path / "ch.ipynb",
        [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("import numpy as np")],
    )
    source = launch.setup_cell_source(URL, BRANCH)
    assert launch.sync_notebook(path, source) is True
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code", "code"]
    assert cells[1].source == source and launch.SETUP_TAG in cells[1].metadata["tags"]
    assert cells[2].source == "import numpy as np"
    before = path.read_bytes()
    assert launch.sync_notebook(path, source) is False
    assert path.read_bytes() == before


def test_sync_rewrites_a_stale_cell_and_removes_duplicates(tmp_path):
    stale = launch._setup_cell(launch.setup_cell_source("https://example.org/old", "main"))
    duplicate = launch._setup_cell("print('old')")
    duplicate["id"] = "other"
    path = _notebook(tmp_path / "ch.ipynb", [nbformat.v4.new_code_cell("x = 1"), stale, duplicate])
    source = launch.setup_cell_source(URL, BRANCH)
    assert launch.sync_notebook(path, source, write=False) is True
    assert launch.sync_notebook(path, source) is True
    cells = nbformat.read(path, as_version=4).cells
    assert [c.source for c in cells] == [source, "x = 1"]


def test_every_book_notebook_has_the_current_setup_cell():
    notebooks = launch.book_notebooks(ROOT)
    assert notebooks, "no notebooks found under book/"
    source = launch.setup_cell_source(*launch.read_repository(ROOT / "_config.yml"))
    stale = [p.name for p in notebooks if launch.sync_notebook(p, source, write=False)]
    assert stale == [], f"run `python -m langevin_lib.launch` to update the set-up cell of {stale}"
