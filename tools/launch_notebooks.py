"""Write the launch notebooks: the book's notebooks in plain Markdown, for Colab and the download button.

The chapters are written in MyST: proofs and exercises are directives, cross-references and
citations are roles. The web book and JupyterLab with jupyterlab-myst (``make lab``, Binder)
render them; Colab and a downloaded notebook opened in plain Jupyter show them as raw source.
This tool writes, for every notebook page of ``_toc.yml``, a copy in ``launch/`` (same path below
``book/``) that any Markdown renderer reads as the web page reads:

- directives become headings and bold run-in titles: ``**Proposition 2.1** (title)``,
  ``*Proof.* ... ∎``, ``### Exercise 2.3: title``; options such as ``:class: dropdown`` go;
- solutions (``{solution}`` and the gated ``{solution-start}`` ... ``{solution-end}``, code
  cells included) move to a "Solutions" section at the end of the notebook;
- roles become text: ``{eq}`` -> ``(2.3)``, ``{numref}``/``{prf:ref}``/``{ref}`` -> "Figure 2.1",
  "Proposition 2.1", "Exercise 2.3" or the section title, ``{doc}`` -> a link to that page's
  launch notebook (or source) in the repository, ``{term}`` -> the term, ``{cite:t}`` and
  ``{cite:p}`` -> author-year text from ``book/references.bib`` with a "References" section;
- numbers glued by the executed notebook (``{glue:text}`key:.3f```) become the formatted value;
- labelled equations get their number as ``\\tag{2.3}``, figure cells a caption cell below them,
  and ``(label)=`` lines go;
- outputs and execution metadata go: a student runs the notebook (there are no stale widget
  views to mislead), and the files stay small and change only when the text does.

Numbers are counted as Sphinx counts them: per chapter (its position in the numbered part of
``_toc.yml``), in order of appearance; proof-like blocks share one counter. An unknown directive or
role is an error, so that nothing raw slips through.

Usage (from the repository root)::

    python tools/launch_notebooks.py          # write launch/
    python tools/launch_notebooks.py --check  # exit 1 if launch/ is out of date (2 on a construct without a rule)
"""

from __future__ import annotations

import argparse
import ast
import codecs
import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import latexcodec  # noqa: F401  (registers the ulatex codec)
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
LAUNCH_DIR = "launch"
BOOK_DIR = "book"

# Proof-like directives of sphinx-proof that carry a number, and the word shown for each.
PROOF_TYPES = {
    "prf:proposition": "Proposition",
    "prf:theorem": "Theorem",
    "prf:lemma": "Lemma",
    "prf:corollary": "Corollary",
    "prf:definition": "Definition",
    "prf:algorithm": "Algorithm",
    "prf:remark": "Remark",
    "prf:example": "Example",
    "prf:conjecture": "Conjecture",
    "prf:assumption": "Assumption",
    "prf:axiom": "Axiom",
    "prf:criterion": "Criterion",
    "prf:observation": "Observation",
    "prf:property": "Property",
}
ADMONITIONS = {"note", "tip", "important", "warning", "caution", "attention", "hint", "seealso", "admonition"}

OPEN_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}]+)\}\s*(?P<arg>.*?)\s*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
LABEL_LINE = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
EQ_LABEL = re.compile(r"\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
ROLE = re.compile(r"\{(?P<role>[\w:.-]+)\}`(?P<content>[^`]+)`")
TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*$", re.M)

#: What must not survive in a launch notebook's Markdown (the test counts these).
RAW_MYST = re.compile(
    r"\{[\w:.-]+\}`|^(`{3,}|:{3,})\{|^\([^()\s]+\)=\s*$|^:(class|label|name|nonumber):|\$\$\s*\([^()\s]+\)\s*$",
    re.M,
)


class LaunchError(ValueError):
    """A construct the converter has no rule for (the message names the notebook and the text)."""


@dataclass
class Target:
    """Something a role can point at."""

    kind: str  # equation, figure, proof, exercise, section
    text: str  # what a reference shows: "(2.3)", "Figure 2.1", "Exercise 2.3", a section title
    doc: str
    title: str = ""


@dataclass
class Book:
    """What the conversion needs to know about the whole book."""

    root: Path
    notebooks: list[str]  # docnames (book/02_sgd_to_flow) of notebook pages, in toc order
    chapter_numbers: dict[str, int]
    doc_titles: dict[str, str]
    targets: dict[str, Target]
    bib: dict[str, dict[str, str]]
    repo_blob: str  # https://github.com/ORG/REPO/blob/BRANCH
    solved: set[str] = field(default_factory=set)


def _text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _toc_docs(root: Path) -> tuple[list[str], dict[str, int]]:
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    docs: list[str] = [toc["root"]]
    numbers: dict[str, int] = {}
    for part in toc.get("parts", []):
        for k, chapter in enumerate(part.get("chapters", []), start=1):
            docs.append(chapter["file"])
            if part.get("numbered"):
                numbers[chapter["file"]] = k
    return docs, numbers


def _split_directive(lines: list[str], start: int, where: str) -> tuple[str, str, dict[str, str], list[str], int]:
    """Parse the directive opening at ``lines[start]``; return name, argument, options, body, next index."""
    match = OPEN_FENCE.match(lines[start])
    assert match is not None
    fence = match["fence"]
    end = start + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            break
        end += 1
    else:
        raise LaunchError(f"{where}: directive {{{match['name']}}} is not closed")
    body = lines[start + 1 : end]
    options: dict[str, str] = {}
    while body and (option := OPTION.match(body[0])):
        options[option["key"]] = option["value"]
        body = body[1:]
    while body and not body[0].strip():
        body = body[1:]
    while body and not body[-1].strip():
        body = body[:-1]
    return match["name"], match["arg"], options, body, end + 1


def _authors(entry) -> list[str]:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return [_plain(" ".join(person.last_names)) for person in people] or [_plain(entry.fields.get("title", "?"))]


def _plain(text: str) -> str:
    """BibTeX text as Unicode: accents decoded, protecting braces dropped."""
    text = codecs.decode(text, "ulatex")
    return text.replace("{", "").replace("}", "").replace("\\&", "&").replace("--", "\N{EN DASH}").strip()


def _load_bib(path: Path) -> dict[str, dict[str, str]]:
    data = parse_file(str(path), bib_format="bibtex")
    bib = {}
    for key, entry in data.entries.items():
        names = _authors(entry)
        if len(names) == 1:
            short = names[0]
        elif len(names) == 2:
            short = f"{names[0]} and {names[1]}"
        else:
            short = f"{names[0]} et al."
        fields = entry.fields
        venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher") or fields.get("note", "")
        everyone = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
        reference = f"{everyone} ({fields.get('year', 'n.d.')}). {_plain(fields.get('title', ''))}."
        if venue:
            reference += f" *{_plain(venue)}*."
        if fields.get("doi"):
            reference += f" https://doi.org/{fields['doi']}"
        elif fields.get("url"):
            reference += f" {fields['url']}"
        bib[key] = {"short": short, "year": fields.get("year", "n.d."), "reference": reference}
    return bib


def load_book(root: Path = ROOT) -> Book:
    """Read the toc, the bibliography and every notebook's numbered targets."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    repository = config["repository"]
    repo_blob = f"{repository['url'].rstrip('/')}/blob/{repository.get('branch', 'main')}"
    docs, numbers = _toc_docs(root)
    notebooks = [doc for doc in docs if (root / f"{doc}.ipynb").exists()]
    titles: dict[str, str] = {}
    for doc in docs:
        path = root / f"{doc}.ipynb"
        if path.exists():
            nb = json.loads(path.read_text())
            text = "\n".join(_text(cell) for cell in nb["cells"] if cell["cell_type"] == "markdown")
        else:
            text = (root / f"{doc}.md").read_text()
        heading = HEADING.search(text)
        titles[doc] = heading["title"] if heading else Path(doc).name
    book = Book(root, notebooks, numbers, titles, {}, _load_bib(root / config["bibtex_bibfiles"][0]), repo_blob)
    for doc in notebooks:
        _index(book, doc)
    return book


def _index(book: Book, doc: str) -> None:
    """Number the equations, figures, proof-like blocks and exercises of ``doc`` and record section labels."""
    nb = json.loads((book.root / f"{doc}.ipynb").read_text())
    prefix = f"{book.chapter_numbers[doc]}." if doc in book.chapter_numbers else ""
    counts = {"equation": 0, "figure": 0, "proof": 0, "exercise": 0}

    def add(kind: str, label: str, word: str, title: str = "") -> None:
        counts[kind] += 1
        number = f"{prefix}{counts[kind]}"
        text = f"({number})" if kind == "equation" else f"{word} {number}"
        if label in book.targets:
            raise LaunchError(f"{doc}: label {label!r} is defined twice")
        book.targets[label] = Target(kind, text, doc, title)

    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
            if figure.get("name"):
                add("figure", figure["name"], "Figure")
            continue
        if cell["cell_type"] != "markdown":
            continue
        lines = _text(cell).split("\n")
        for i, line in enumerate(lines):
            if (eq := EQ_LABEL.search(line)) is not None:
                add("equation", eq["label"], "")
            if (label := LABEL_LINE.match(line)) is not None:
                heading = next((HEADING.match(after) for after in lines[i + 1 :] if after.strip()), None)
                book.targets[label["label"]] = Target("section", heading["title"] if heading else doc, doc)
            if OPEN_FENCE.match(line):
                name, arg, options, _, _ = _split_directive(lines, i, doc)
                if name in PROOF_TYPES:
                    if options.get("label"):
                        add("proof", options["label"], PROOF_TYPES[name], arg)
                    else:
                        counts["proof"] += 1
                elif name == "exercise":
                    add("exercise", options.get("label", f"{doc}-exercise-{counts['exercise'] + 1}"), "Exercise", arg)
                elif name in {"solution", "solution-start"}:
                    book.solved.add(arg)


def _glued_values(path: Path) -> dict[str, str]:
    """The ``text/plain`` of every value the executed notebook glued (``langevin_lib.glue``), by key."""
    values = {}
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                prefix = record.get("mime_prefix", "")
                values[record["name"]] = _text({"source": output["data"][prefix + "text/plain"]})
    return values


def _format_glued(text: str, spec: str) -> str:
    """Format a glued value as myst-nb's ``{glue:text}`key:spec``` role does (myst_nb.core.variables)."""
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not spec:
        return str(value)
    kind = spec[-1]
    if kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    elif kind == "s":
        value = str(value)
    return format(value, spec)


class _Converter:
    """Converts one notebook; solutions collect in ``self.solutions`` for the end."""

    def __init__(self, book: Book, doc: str) -> None:
        self.book = book
        self.doc = doc
        self.cited: list[str] = []
        self.solutions: list[dict] = []
        self.in_solution = False
        self.solution_lines: list[str] = []
        self.glued = _glued_values(book.root / f"{doc}.ipynb")

    # --- roles ----------------------------------------------------------------------------
    def _target(self, label: str, role: str) -> Target:
        if label not in self.book.targets:
            raise LaunchError(f"{self.doc}: {{{role}}}`{label}` points at no label of the book's notebooks")
        return self.book.targets[label]

    def _cite(self, keys: str, textual: bool) -> str:
        parts = []
        for key in (k.strip() for k in keys.split(",")):
            if key not in self.book.bib:
                raise LaunchError(f"{self.doc}: citation {key!r} is not in the bibliography")
            if key not in self.cited:
                self.cited.append(key)
            entry = self.book.bib[key]
            parts.append(f"{entry['short']} ({entry['year']})" if textual else f"{entry['short']}, {entry['year']}")
        return "; ".join(parts) if textual else f"({'; '.join(parts)})"

    def _doc_link(self, target: str) -> str:
        doc = str(Path(self.doc).parent / target) if not target.startswith("/") else target.lstrip("/")
        if doc not in self.book.doc_titles:
            raise LaunchError(f"{self.doc}: {{doc}}`{target}` is not a page of the book")
        if doc in self.book.notebooks:
            path = f"{LAUNCH_DIR}/{Path(doc).relative_to(BOOK_DIR)}.ipynb"
        else:
            path = f"{doc}.md"
        return f"{self.book.repo_blob}/{path}"

    def _role(self, match: re.Match) -> str:
        role, content = match["role"], match["content"]
        titled = TITLED.match(content)
        text, target = (titled["text"], titled["target"]) if titled else ("", content)
        if role == "eq":
            return self._target(target, role).text
        if role in {"numref", "prf:ref", "ref"}:
            found = self._target(target, role)
            if text:
                return text.replace("%s", found.text.split()[-1]).replace("{number}", found.text.split()[-1])
            return found.text
        if role == "doc":
            url = self._doc_link(target)
            return f"[{text or self.book.doc_titles[str(Path(self.doc).parent / target)]}]({url})"
        if role == "term":
            return text or target
        if role in {"cite", "cite:p", "cite:ps"}:
            return self._cite(target, textual=False)
        if role in {"cite:t", "cite:ts"}:
            return self._cite(target, textual=True)
        if role in {"math"}:
            return f"${content}$"
        if role in {"glue", "glue:text"}:
            key, _, spec = content.partition(":")
            if key not in self.glued:
                raise LaunchError(f"{self.doc}: {{{role}}}`{content}` quotes {key!r}, which the notebook never glues")
            return _format_glued(self.glued[key], spec)
        raise LaunchError(f"{self.doc}: no rule for the role {{{role}}} in {match.group(0)!r}")

    def inline(self, text: str) -> str:
        """Roles to text, equation labels to tags, label lines removed."""
        out = []
        for line in text.split("\n"):
            if LABEL_LINE.match(line):
                continue
            if (eq := EQ_LABEL.search(line)) is not None:
                number = self._target(eq["label"], "eq").text.strip("()")
                before = line[: eq.start()].rstrip()
                line = f"{before} \\tag{{{number}}} $$" if before else f"\\tag{{{number}}}\n$$"
            out.append(ROLE.sub(self._role, line))
        return "\n".join(out)

    # --- directives -----------------------------------------------------------------------
    def _directive(self, name: str, arg: str, options: dict[str, str], body: list[str]) -> list[str]:
        inner = self.block(body)
        if name in PROOF_TYPES:
            label = options.get("label")
            head = self._target(label, name).text if label else PROOF_TYPES[name]
            title = f" ({self.inline(arg)})" if arg else ""
            return [f"**{head}**{title}.", "", *inner]
        if name == "prf:proof":
            return ["*Proof.*", "", *inner, "", "∎"]
        if name == "exercise":
            label = options.get("label", "")
            head = self._target(label, name).text if label else "Exercise"
            lines = [f"### {head}" + (f": {self.inline(arg)}" if arg else ""), "", *inner]
            if label in self.book.solved:
                lines += ["", "*The solution is at the end of this notebook.*"]
            return lines
        if name == "solution":
            self._add_solution(arg, inner)
            return []
        if name in ADMONITIONS:
            title = self.inline(arg) if name == "admonition" else name.capitalize()
            return [f"**{title}.**", "", *inner]
        raise LaunchError(f"{self.doc}: no rule for the directive {{{name}}}")

    def _solution_heading(self, label: str) -> str:
        target = self._target(label, "solution")
        return f"### Solution to {target.text}" + (f": {self.inline(target.title)}" if target.title else "")

    def _add_solution(self, label: str, lines: list[str]) -> None:
        self.solutions.append(_markdown("\n".join([self._solution_heading(label), "", *lines]).strip()))

    def block(self, lines: list[str]) -> list[str]:
        """Convert Markdown lines; lines inside a gated solution go to ``solution_lines``."""
        out: list[str] = []
        i = 0
        while i < len(lines):
            if OPEN_FENCE.match(lines[i]):
                name, arg, options, body, i = _split_directive(lines, i, self.doc)
                if name == "solution-start":
                    if self.in_solution:
                        raise LaunchError(f"{self.doc}: {{solution-start}} inside another gated solution")
                    self.in_solution = True
                    self.solution_lines = [self._solution_heading(arg), ""]
                elif name == "solution-end":
                    self.flush_solution()
                    self.in_solution = False
                else:
                    (self.solution_lines if self.in_solution else out).extend(self._directive(name, arg, options, body))
                continue
            (self.solution_lines if self.in_solution else out).append(self.inline(lines[i]))
            i += 1
        return out

    def flush_solution(self) -> None:
        """End the current Markdown part of a gated solution (at a cell boundary or its end)."""
        text = "\n".join(self.solution_lines).strip()
        if text:
            self.solutions.append(_markdown(text))
        self.solution_lines = []

    def markdown_cell(self, cell: dict) -> dict | None:
        lines = self.block(_text(cell).split("\n"))
        if self.in_solution:
            self.flush_solution()
        text = "\n".join(lines).strip()
        return {**_markdown(text), "id": cell.get("id")} if text else None


def _markdown(text: str) -> dict:
    # Removed labels and directive lines leave runs of blank lines; one blank line separates blocks.
    return {"cell_type": "markdown", "metadata": {}, "source": re.sub(r"\n{3,}", "\n\n", text)}


def _code(cell: dict) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell.get("id"),
        "metadata": {},
        "outputs": [],
        "source": _text(cell),
    }


def convert(book: Book, doc: str) -> dict:
    """The launch notebook of ``doc`` (a docname such as ``book/02_sgd_to_flow``), as a JSON dict."""
    nb = json.loads((book.root / f"{doc}.ipynb").read_text())
    conv = _Converter(book, doc)
    cells: list[dict] = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            if (converted := conv.markdown_cell(cell)) is not None:
                cells.append(converted)
            continue
        if cell["cell_type"] != "code":
            continue
        target = conv.solutions if conv.in_solution else cells
        target.append(_code(cell))
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if figure.get("name"):
            caption = conv.inline(figure.get("caption", ""))
            target.append(_markdown(f"**{book.targets[figure['name']].text}.** {caption}".strip()))
    if conv.in_solution:
        raise LaunchError(f"{doc}: a {{solution-start}} has no {{solution-end}}")
    solutions = [cell for cell in conv.solutions if cell["cell_type"] == "code" or cell["source"].strip()]
    source_path = f"{doc}.ipynb"
    note = (
        f"*This copy of `{source_path}` is for Colab and plain Jupyter: the same notebook in plain Markdown, "
        "without stored outputs (written by `tools/launch_notebooks.py`). Run the cells from the top"
        + ("; the solutions of the exercises are at the end.*" if solutions else ".*")
    )
    if cells and cells[0]["cell_type"] == "markdown":
        cells.insert(1, _markdown(note))
    else:
        cells.insert(0, _markdown(note))
    if solutions:
        cells.append(_markdown("## Solutions"))
        cells.extend(solutions)
    if conv.cited:
        references = "\n".join(f"- {book.bib[key]['reference']}" for key in sorted(conv.cited))
        cells.append(_markdown(f"## References\n\n{references}"))
    for k, cell in enumerate(cells):
        cell["id"] = cell.get("id") or f"launch-{k}"
    ids = [cell["id"] for cell in cells]
    for k, cell_id in enumerate(ids):  # a cell split in two keeps its id once
        if ids.index(cell_id) != k:
            cells[k]["id"] = f"{cell_id}-{k}"
    kept = ("kernelspec", "language_info")
    metadata = {key: copy.deepcopy(nb["metadata"][key]) for key in kept if key in nb["metadata"]}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def notebook_text(nb: dict) -> str:
    """The committed bytes: one-space indented JSON, sources as lists of lines, a final newline."""
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        cell["source"] = cell["source"].splitlines(keepends=True)
    return json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def launch_path(root: Path, doc: str) -> Path:
    """Where the launch notebook of ``doc`` lives: launch/ plus its path below book/."""
    return root / LAUNCH_DIR / f"{Path(doc).relative_to(BOOK_DIR)}.ipynb"


def build(root: Path = ROOT) -> dict[Path, str]:
    """Every launch notebook's path and text."""
    book = load_book(root)
    return {launch_path(root, doc): notebook_text(convert(book, doc)) for doc in book.notebooks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if launch/ is out of date; write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root (default: this checkout)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        wanted = build(root)
    except LaunchError as exc:
        print(f"launch_notebooks: {exc}", file=sys.stderr)
        return 2
    existing = set((root / LAUNCH_DIR).rglob("*.ipynb"))
    stale = sorted(
        [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
        + [path for path in existing if path not in wanted]
    )
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(root)}")
        if stale:
            print("run: python tools/launch_notebooks.py")
        return 1 if stale else 0
    for path in stale:
        if path in wanted:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted[path])
            print(f"wrote {path.relative_to(root)}")
        else:
            path.unlink()
            print(f"removed {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
