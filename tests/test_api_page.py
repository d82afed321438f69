"""The API reference page (book/api.md) documents every public name of langevin_lib."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import langevin_lib as ll

ROOT = Path(__file__).resolve().parent.parent
API_PAGE = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
OBJECTS = re.findall(r"^\.\. auto(?:class|function|data|exception):: (langevin_lib[\w.]*)", API_PAGE, re.MULTILINE)
MODULES = re.findall(r"^\.\. automodule:: (langevin_lib[\w.]*)", API_PAGE, re.MULTILINE)


def _documented_names() -> set[str]:
    """Last components of the objects the page documents, one by one or as members of a module."""
    names = {path.rpartition(".")[2] for path in OBJECTS}
    for module in MODULES:
        names |= set(getattr(importlib.import_module(module), "__all__", []))
    return names


def _tracked_modules() -> list[str]:
    """Public modules of the package that git tracks (files being written are not part of the book yet)."""
    try:
        files = subprocess.run(
            ["git", "ls-files", "langevin_lib/*.py"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "langevin_lib").rglob("*.py")]
    names = (Path(f).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__") for f in files)
    return sorted(n for n in names if not any(part.startswith("_") for part in n.split(".")))


def test_every_top_level_name_is_documented():
    # Data are documented at their defining module, where autodoc finds their #: comments.
    missing = sorted(set(ll.__all__) - {p.rpartition(".")[2] for p in OBJECTS})
    assert missing == [], (
        f"add `.. autofunction:: langevin_lib.NAME` (or autoclass, autodata) to book/api.md: {missing}"
    )


def test_every_public_name_of_every_module_is_documented():
    documented = _documented_names()
    missing = {}
    for module in _tracked_modules():
        public = set(getattr(importlib.import_module(module), "__all__", []))
        if public - documented:
            missing[module] = sorted(public - documented)
    assert missing == {}, f"document these in book/api.md (autofunction or automodule): {missing}"
