"""The launch notebooks (launch/): in sync with the book, no raw MyST, solutions at the end, same code."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


launch = _load("launch_notebooks", ROOT / "tools" / "launch_notebooks.py")
links = _load("launch_links", ROOT / "book" / "_ext" / "launch_links.py")

BOOK = launch.load_book(ROOT)
CHAPTERS = [doc for doc in BOOK.notebooks if doc in BOOK.chapter_numbers]


def text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def notebook(path: Path) -> dict:
    return json.loads(path.read_text())


def raw_myst(nb: dict) -> list[str]:
    return [m.group(0) for c in nb["cells"] if c["cell_type"] == "markdown" for m in launch.RAW_MYST.finditer(text(c))]


def test_committed_launch_notebooks_are_in_sync_with_the_book():
    wanted = launch.build(ROOT)
    assert {p.relative_to(ROOT) for p in wanted} == {p.relative_to(ROOT) for p in (ROOT / "launch").rglob("*.ipynb")}
    stale = [str(p.relative_to(ROOT)) for p, body in wanted.items() if p.read_text() != body]
    assert not stale, f"out of date (run python tools/launch_notebooks.py): {stale}"
    assert launch.main(["--check"]) == 0


def test_every_notebook_page_has_one_and_the_chapters_are_numbered():
    assert len(CHAPTERS) == 6 and [BOOK.chapter_numbers[d] for d in CHAPTERS] == [1, 2, 3, 4, 5, 6]
    for doc in BOOK.notebooks:
        assert launch.launch_path(ROOT, doc).exists(), doc


@pytest.mark.parametrize("doc", CHAPTERS)
def test_no_raw_directive_or_role_survives(doc):
    source = notebook(ROOT / f"{doc}.ipynb")
    converted = notebook(launch.launch_path(ROOT, doc))
    assert len(raw_myst(source)) > 40  # the chapters are full of MyST (chapter 2: 84 matches of RAW_MYST)
    assert raw_myst(converted) == []
    markdown = "\n".join(text(c) for c in converted["cells"] if c["cell_type"] == "markdown")
    assert ":class: dropdown" not in markdown and "```{" not in markdown and ":::{" not in markdown


@pytest.mark.parametrize("doc", CHAPTERS)
def test_exercises_keep_their_titles_and_solutions_move_to_the_end(doc):
    source = "\n".join(text(c) for c in notebook(ROOT / f"{doc}.ipynb")["cells"] if c["cell_type"] == "markdown")
    converted = notebook(launch.launch_path(ROOT, doc))
    cells = [text(c) for c in converted["cells"]]
    titles = re.findall(r"^(?:`{3,}|:{3,})\{exercise\}\s*(.+?)\s*$", source, re.M)
    n_solutions = len(re.findall(r"^(?:`{3,}|:{3,})\{solution(?:-start)?\}", source, re.M))
    number = BOOK.chapter_numbers[doc]
    start = cells.index("## Solutions")
    body, end = "\n".join(cells[:start]), "\n".join(cells[start:])
    headings = re.findall(r"^### Exercise .*$", body, re.M)
    assert len(headings) == len(titles) > 0
    for k, title in enumerate(titles, start=1):
        assert f"### Exercise {number}.{k}: {title}" in headings, title
    assert len(re.findall(r"^### Solution to Exercise", end, re.M)) == n_solutions > 0
    assert not re.search(r"^### (Solution|Exercise)", body.replace("### Exercise", ""), re.M)
    assert not re.search(r"^### Exercise", end, re.M)


@pytest.mark.parametrize("doc", BOOK.notebooks)
def test_same_code_no_outputs_and_the_colab_setup_cell(doc):
    source = notebook(ROOT / f"{doc}.ipynb")
    converted = notebook(launch.launch_path(ROOT, doc))
    code = [c for c in converted["cells"] if c["cell_type"] == "code"]
    assert Counter(text(c) for c in code) == Counter(text(c) for c in source["cells"] if c["cell_type"] == "code")
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "%pip install" in text(code[0])  # the set-up cell that installs langevin_lib in Colab
    assert converted["metadata"]["kernelspec"]["name"] == "python3"
    assert len({c["id"] for c in converted["cells"]}) == len(converted["cells"])


def _names(source: str) -> tuple[set[str], set[str]]:
    """Names a cell binds and names it reads without binding them first (IPython magics skipped)."""
    tree = ast.parse("\n".join(line for line in source.split("\n") if not line.lstrip().startswith(("%", "!"))))
    binds, reads = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (reads if isinstance(node.ctx, ast.Load) else binds).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            binds.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            binds.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return binds, reads - binds


def _provenance(cells: list[dict]) -> dict[str, dict[str, str | None]]:
    """For each code cell: which cell last bound each name it reads, running the cells in order."""
    last: dict[str, str] = {}
    out = {}
    for cell in cells:
        binds, reads = _names(text(cell))
        out[cell["id"]] = {name: last.get(name) for name in reads}
        last.update(dict.fromkeys(binds, cell["id"]))
    return out


@pytest.mark.parametrize("doc", CHAPTERS)
def test_moved_solution_code_reads_the_same_variables(doc):
    """Run top to bottom, every code cell (moved solutions included) reads what it read in the chapter."""
    original = [c for c in notebook(ROOT / f"{doc}.ipynb")["cells"] if c["cell_type"] == "code"]
    converted = [c for c in notebook(launch.launch_path(ROOT, doc))["cells"] if c["cell_type"] == "code"]
    assert _provenance(converted) == _provenance(original)


# --- the conversion rules, on a small book made here --------------------------------------------

BIB = """@article{efron2004lars,
  author = {Efron, Bradley and Hastie, Trevor and Johnstone, Iain and Tibshirani, Robert},
  title = {Least Angle Regression}, journal = {The Annals of Statistics}, year = {2004}
}
@article{yaida2018fdr, author = {Yaida, Sho}, title = {Fluctuation-dissipation}, journal = {arXiv}, year = {2018}}
@article{li2017sme, author = {Li, Qianxiao and E, Weinan}, title = {SME}, journal = {ICML}, year = {2017}}
@article{jastrzebski2017, author = {Jastrz{\\k{e}}bski, Stanis{\\l}aw}, title = {Three},
  journal = {arXiv}, year = {2017}}
"""

CHAPTER_ONE = [
    ("markdown", "# First chapter\n\nIntro with a {term}`Term <glossary term>` and {term}`plain`."),
    ("markdown", "(sec-first)=\n## A section\n\nThe loss\n\n$$\nL = x^2\n$$ (eq-one)\n\nand $y$ $$ z $$ (eq-two)"),
    ("code", "x = 1"),
]
CHAPTER_TWO = [
    ("markdown", "# Second chapter\n\nAfter {doc}`01_one` and {doc}`glossary`, see {eq}`eq-one`, {eq}`eq-three`."),
    (
        "markdown",
        "```{prf:proposition} A claim\n:label: prop-a\n\nIt holds $$ a $$ (eq-three)\n```\n\n"
        "```{prf:proof}\nObvious.\n```\n\n"
        "As {cite:t}`efron2004lars` and {cite:t}`li2017sme` and {cite}`yaida2018fdr,jastrzebski2017` say, "
        "{prf:ref}`prop-a` holds; see {numref}`fig-a`, {numref}`Figure %s <fig-a>`, {ref}`sec-first`, "
        "{ref}`ex-b` and {ref}`the other section <sec-first>`.",
    ),
    ("code", "y = x + 1"),
    (
        "markdown",
        "```{exercise} Do it\n:label: ex-a\n\nCompute.\n```\n\n```{solution} ex-a\n:class: dropdown\n\nDone.\n```",
    ),
    (
        "markdown",
        "```{exercise}\n:label: ex-b\n\nAgain.\n```\n\n```{solution-start} ex-b\n:class: dropdown\n```\n\nFirst part:",
    ),
    ("code", "z = y * 2"),
    ("markdown", "Second part.\n\n```{solution-end}\n```\n\nAfter the solution."),
    ("code", "w = x"),
]


def _nb(cells: list[tuple[str, str]], prefix: str) -> dict:
    out = []
    for k, (kind, source) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"{prefix}{k}", "metadata": {}, "source": source}
        if kind == "code":
            cell.update(execution_count=3, outputs=[{"output_type": "stream", "name": "stdout", "text": "x\n"}])
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def small_book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    numbered: true\n    chapters:\n"
        "      - file: book/01_one\n      - file: book/02_two\n"
        "  - caption: R\n    chapters:\n      - file: book/glossary\n"
    )
    (tmp_path / "_config.yml").write_text(
        "bibtex_bibfiles:\n  - book/references.bib\nrepository:\n  url: https://github.com/o/r\n  branch: dev\n"
    )
    (tmp_path / "book" / "references.bib").write_text(BIB)
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "book" / "glossary.md").write_text("# Glossary\n")
    (tmp_path / "book" / "01_one.ipynb").write_text(json.dumps(_nb(CHAPTER_ONE, "a")))
    two = _nb(CHAPTER_TWO, "b")
    two["cells"][2]["metadata"] = {"mystnb": {"figure": {"name": "fig-a", "caption": "A figure of {eq}`eq-one`."}}}
    (tmp_path / "book" / "02_two.ipynb").write_text(json.dumps(two))
    return tmp_path


def test_conversion_rules(small_book):
    book = launch.load_book(small_book)
    one = launch.convert(book, "book/01_one")
    md = [text(c) for c in one["cells"]]
    assert md[0] == "# First chapter\n\nIntro with a Term and plain."
    assert "(sec-first)=" not in md[2] and md[2].startswith("## A section")
    assert "L = x^2\n\\tag{1.1}\n$$" in md[2] and "and $y$ $$ z \\tag{1.2} $$" in md[2]

    two = launch.convert(book, "book/02_two")
    cells = [text(c) for c in two["cells"]]
    assert cells[0] == (
        "# Second chapter\n\nAfter [First chapter](https://github.com/o/r/blob/dev/launch/01_one.ipynb) and "
        "[Glossary](https://github.com/o/r/blob/dev/book/glossary.md), see (1.1), (2.1)."
    )
    prose = cells[2]
    assert prose.startswith("**Proposition 2.1** (A claim).\n\nIt holds $$ a \\tag{2.1} $$")
    assert "*Proof.*\n\nObvious.\n\n∎" in prose
    assert (
        "As Efron et al. (2004) and Li and E (2017) and (Yaida, 2018; Jastrzębski, 2017) say, Proposition 2.1 holds; "
        "see Figure 2.1, Figure 2.1, A section, Exercise 2.2 and the other section."
    ) in prose
    code = [c for c in two["cells"] if c["cell_type"] == "code"]
    assert [text(c) for c in code] == ["y = x + 1", "w = x", "z = y * 2"]  # the solution's code moved to the end
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert cells[4] == "**Figure 2.1.** A figure of (1.1)."
    assert cells[5] == "### Exercise 2.1: Do it\n\nCompute.\n\n*The solution is at the end of this notebook.*"
    assert cells[6] == "### Exercise 2.2\n\nAgain.\n\n*The solution is at the end of this notebook.*"
    assert cells[7] == "After the solution."
    assert cells[9:] == [
        "## Solutions",
        "### Solution to Exercise 2.1: Do it\n\nDone.",
        "### Solution to Exercise 2.2\n\nFirst part:",
        "z = y * 2",
        "Second part.",
        "## References\n\n"
        "- Efron, Hastie, Johnstone and Tibshirani (2004). Least Angle Regression. *The Annals of Statistics*.\n"
        "- Jastrzębski (2017). Three. *arXiv*.\n- Li and E (2017). SME. *ICML*.\n"
        "- Yaida (2018). Fluctuation-dissipation. *arXiv*.",
    ]
    assert raw_myst(two) == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("See {unknownrole}`x`.", "no rule for the role {unknownrole}"),
        ("```{mystery}\nbody\n```", "no rule for the directive {mystery}"),
        ("See {eq}`eq-nowhere`.", "points at no label"),
        ("As {cite:t}`nobody2020`.", "not in the bibliography"),
        ("```{exercise}\nnever closed", "is not closed"),
        ("```{exercise}\n:label: ex-x\n\nQ\n```\n\n```{solution-start} ex-x\n```\n\nno end", "has no {solution-end}"),
    ],
)
def test_constructs_without_a_rule_are_errors(small_book, source, message):
    path = small_book / "book" / "01_one.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "bad", "metadata": {}, "source": source})
    path.write_text(json.dumps(nb))
    with pytest.raises(launch.LaunchError, match=re.escape(message)):
        launch.convert(launch.load_book(small_book), "book/01_one")


def test_check_mode_reports_stale_and_write_mode_fixes(small_book, capsys):
    args = ["--root", str(small_book)]
    assert launch.main([*args, "--check"]) == 1
    assert "out of date: launch/01_one.ipynb" in capsys.readouterr().out
    assert launch.main(args) == 0
    assert launch.main([*args, "--check"]) == 0
    (small_book / "launch" / "old.ipynb").write_text("{}")  # a page that left the toc
    assert launch.main([*args, "--check"]) == 1
    assert launch.main(args) == 0 and not (small_book / "launch" / "old.ipynb").exists()
    shutil.copy(small_book / "book" / "01_one.ipynb", small_book / "book" / "x.ipynb")  # not in the toc: ignored
    assert launch.main([*args, "--check"]) == 0


# --- the Sphinx extension's link rewriting -------------------------------------------------------


def theme_buttons(page: str) -> list[dict]:
    """Header buttons as sphinx-book-theme 1.3 builds them for a notebook page with path_to_book '.'."""
    return [
        {
            "label": "download-buttons",
            "buttons": [
                {"label": "download-source-button", "url": f"../_sources/{page}.ipynb", "text": ".ipynb"},
                {"label": "download-pdf-button", "type": "javascript", "javascript": "window.print()"},
            ],
        },
        {
            "label": "launch-buttons",
            "buttons": [
                {"text": "Binder", "url": f"https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/./{page}.ipynb"},
                {"text": "Colab", "url": f"https://colab.research.google.com/github/o/r/blob/main/./{page}.ipynb"},
            ],
        },
    ]


def test_colab_and_download_open_the_launch_notebook_and_no_url_has_a_dot_segment():
    path = links.launch_notebook(ROOT, "book/02_sgd_to_flow")
    assert path == ROOT / "launch" / "02_sgd_to_flow.ipynb"
    buttons = theme_buttons("book/02_sgd_to_flow")
    links.rewrite_buttons(buttons, "launch/02_sgd_to_flow.ipynb", "../_launch/02_sgd_to_flow.ipynb")
    download, launchers = buttons[0]["buttons"], buttons[1]["buttons"]
    assert download[0]["url"] == "../_launch/02_sgd_to_flow.ipynb"
    assert launchers[0]["url"] == "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/book/02_sgd_to_flow.ipynb"
    assert launchers[1]["url"] == "https://colab.research.google.com/github/o/r/blob/main/launch/02_sgd_to_flow.ipynb"
    assert links.launch_notebook(ROOT, "book/glossary") is None
    other = theme_buttons("book/intro")
    links.rewrite_buttons(other, None, None)
    assert "/./" not in json.dumps(other) and other[0]["buttons"][0]["url"] == "../_sources/book/intro.ipynb"


def test_glued_numbers_become_their_formatted_values_as_the_book_shows_them(small_book):
    """A ``{glue:text}`` role reads the value the executed notebook glued, formatted as myst-nb does."""
    from myst_nb.core.variables import format_plain_text

    path = small_book / "book" / "01_one.ipynb"
    nb = json.loads(path.read_text())
    glued = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "slope", "mime_prefix": "p/"}}}
    glued["data"] = {"p/text/plain": "0.23946512"}
    nb["cells"].append({"cell_type": "code", "id": "g", "metadata": {}, "source": "", "outputs": [glued]})
    nb["cells"].append(
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "Slope {glue:text}`slope:.3f`, {glue}`slope`."}
    )
    path.write_text(json.dumps(nb))
    converted = launch.convert(launch.load_book(small_book), "book/01_one")
    assert text(converted["cells"][-1]) == "Slope 0.239, 0.23946512."
    for spec in ["", ".3f", ".2e", ".1%", ".4g", "s"]:
        assert launch._format_glued("0.23946512", spec) == format_plain_text("0.23946512", spec)

    nb["cells"][-1]["source"] = "Slope {glue:text}`nowhere:.3f`."
    path.write_text(json.dumps(nb))
    with pytest.raises(launch.LaunchError, match="never glues"):
        launch.convert(launch.load_book(small_book), "book/01_one")
