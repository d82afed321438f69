"""The package's folders are layers: imports only go downward, there is no cycle, only viz/ draws.

Read from the source with :mod:`ast` (nothing is imported), so a violation is
found even in a module no test imports.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "langevin_lib"

#: Rank of each top-level part of the package: a module may import only parts of lower or equal rank
#: (equal only inside its own subpackage). The facade (__init__) re-exports the layers below viz.
LAYERS = {
    "_validation": 0,
    "errors": 0,
    "data": 1,
    "claims": 1,
    "problems": 2,
    "dynamics": 3,
    "theory": 4,
    "experiments": 5,
    "viz": 6,
    "coursework": 7,
}
#: Libraries that draw: only viz/ may import them.
DRAWING = ("matplotlib", "ipywidgets", "PIL")


def _modules() -> dict[str, Path]:
    """Dotted name (relative to the package) -> file, for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path) -> tuple[set[str], set[str]]:
    """The package modules a module imports (dotted, relative to the package) and the external top-level names."""
    is_package = path.name == "__init__.py"
    package_parts = name.split(".") if is_package else name.split(".")[:-1]
    if name == "":
        package_parts = []
    internal, external = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "langevin_lib":
                    internal.add(alias.name.removeprefix("langevin_lib").lstrip("."))
                else:
                    external.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module.split(".")[0] == "langevin_lib":
                    base = node.module.removeprefix("langevin_lib").lstrip(".")
                else:
                    external.add(node.module.split(".")[0])
                    continue
            else:
                anchor = package_parts[: len(package_parts) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                internal.add(candidate if candidate in _MODULES else base)
    return {m for m in internal if m != name}, external


_MODULES = _modules()


def _layer(name: str) -> int | None:
    # The facade ("") re-exports everything up to the experiments: the layers above may import it.
    return LAYERS.get(name.split(".")[0]) if name else LAYERS["experiments"]


@pytest.mark.parametrize("name", sorted(n for n in _MODULES if n))
def test_imports_only_go_downward(name):
    internal, _ = _imports(name, _MODULES[name])
    own = _layer(name)
    assert own is not None, f"langevin_lib/{name} is in no layer: add its folder to LAYERS (and to the README)"
    for target in internal:
        rank = _layer(target)
        assert rank is not None, f"{name} imports {target!r}, which is in no layer"
        same_part = target.split(".")[0] == name.split(".")[0]
        assert rank < own or (rank == own and same_part), f"{name} (layer {own}) imports {target} (layer {rank})"


def test_the_facade_exports_the_layers_below_the_figures():
    internal, _ = _imports("", _MODULES[""])
    assert internal, "the facade imports nothing"
    assert all(t and _layer(t) < LAYERS["viz"] for t in internal), sorted(internal)


def test_only_viz_draws():
    offenders = {
        name: sorted(set(DRAWING) & _imports(name, path)[1])
        for name, path in _MODULES.items()
        if name.split(".")[0] != "viz" and set(DRAWING) & _imports(name, path)[1]
    }
    assert offenders == {}, f"only langevin_lib/viz may import {DRAWING}: {offenders}"


def test_there_is_no_import_cycle():
    graph = {name: _imports(name, path)[0] & set(_MODULES) for name, path in _MODULES.items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
                pytest.fail(f"import cycle: {' -> '.join(cycle)}")
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in graph:
        if start not in state:
            visit(start, [start])


def test_at_most_eight_public_top_level_modules_and_four_subpackages():
    modules = [p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")]
    packages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    assert len(modules) <= 8, modules
    assert len(packages) >= 4, packages


CHAPTERS = sorted((PACKAGE.parent / "book").glob("0*.ipynb"))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_import_the_library_through_two_paths(chapter):
    """``import langevin_lib as ll`` and ``from langevin_lib import viz``, nothing else (the set-up cell aside)."""
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    paths = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or "launch-setup" in cell["metadata"].get("tags", []):
            continue
        source = "".join(cell["source"])
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                paths |= {f"import {a.name} as {a.asname}" for a in node.names if a.name.startswith("langevin_lib")}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("langevin_lib"):
                paths |= {f"from {node.module} import {a.name}" for a in node.names}
    assert paths <= {"import langevin_lib as ll", "from langevin_lib import viz"}, sorted(paths)
