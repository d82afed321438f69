"""The Claims page: a table of every claim check of the book, collected from the executed chapters.

A chapter makes a claim check with ``langevin_lib.claims.claim(...)``; the record it displays carries
its data as JSON in the ``data-langevin-claim`` attribute of its HTML output. While Sphinx reads a
notebook, myst-nb keeps every MIME type of an output in the doctree (it picks one per builder only
later, in a post-transform), so this extension finds the claim records in the HTML outputs for every
builder, puts an anchor ``claim-<id>`` before each, and stores the records in the environment. The
``claims-ledger`` directive is a placeholder (like sphinx.ext.todo's ``todolist``), replaced by the
table once all documents have been read: one row per claim, in the order of the table of contents,
linking back to where the claim is made.

The build warns (and so fails under ``-W``) when a claim id is used twice, or when a record cannot
be read. The extension needs nothing but Sphinx and docutils: it never imports langevin_lib. The
record's own MIME type (``application/vnd.langevin-claim+json``, for tools that read notebooks) is
one that myst-nb does not render, so the book's configuration suppresses ``mystnb.unknown_mime_type``.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)

_RECORD = re.compile(r'data-langevin-claim="([^"]*)"')
_SCHEMA = "langevin-claim/1"
_COLUMNS = [("Chapter", 14), ("Claim", 14), ("Statement", 30), ("Measured", 12),
            ("Predicted", 12), ("Tolerance", 10), ("Status", 8)]


class claims_ledger(nodes.General, nodes.Element):
    """Placeholder for the table, replaced when the document is resolved."""


class ClaimsLedgerDirective(SphinxDirective):
    """``claims-ledger``: the table of every claim check of the book."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        _ledger_docs(self.env).add(self.env.docname)
        return [claims_ledger("")]


def _claims(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    """docname -> the claim records of that document, in reading order."""
    if not hasattr(env, "langevin_claims"):
        env.langevin_claims = {}
    return env.langevin_claims


def _ledger_docs(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, "langevin_claims_ledgers"):
        env.langevin_claims_ledgers = set()
    return env.langevin_claims_ledgers


def _is_mime_bundle(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"


def collect_claims(app: Sphinx, doctree: nodes.document) -> None:
    """Find the claim records in the HTML outputs of a document and anchor each one."""
    env = app.env
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for bundle in list(doctree.findall(_is_mime_bundle)):
        for raw in bundle.findall(nodes.raw):
            match = _RECORD.search(raw.astext())
            if "html" not in raw.get("format", "").split() or match is None:
                continue
            try:
                record = json.loads(html.unescape(match.group(1)))
                ok = record.get("schema") == _SCHEMA and isinstance(record.get("id"), str)
            except (json.JSONDecodeError, AttributeError):
                ok = False
            if not ok:
                logger.warning("unreadable claim record in a cell output", location=bundle,
                               type="claims", subtype="record")
                continue
            if record["id"] in seen:
                logger.warning(f"claim id {record['id']!r} is displayed twice in this document",
                               location=bundle, type="claims", subtype="duplicate")
                continue
            seen.add(record["id"])
            record["anchor"] = nodes.make_id("claim-" + record["id"])
            record["line"] = bundle.line
            # The anchor sits outside the bundle, which a post-transform replaces by one MIME type.
            anchor = nodes.target("", "", ids=[record["anchor"]], langevin_claim=True)
            bundle.parent.insert(bundle.parent.index(bundle), anchor)
            records.append(record)
    if records:
        _claims(env)[env.docname] = records


class MoveClaimAnchors(SphinxPostTransform):
    """Give a claim's anchor to the output block that follows it, where the builder labels blocks itself.

    Once myst-nb has chosen the MIME type, the LaTeX writer skips a bare target followed by a code
    block (it expects the block to carry the label), so the anchor moves onto that block.
    """

    default_priority = 50  # after myst-nb's SelectMimeType (priority 4)

    def run(self, **kwargs: Any) -> None:
        for target in list(self.document.findall(nodes.target)):
            following = target.next_node(descend=False, siblings=True)
            if target.get("langevin_claim") and isinstance(following, (nodes.literal_block, nodes.figure)):
                following["ids"].extend(target["ids"])
                target.parent.remove(target)


def purge_claims(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _claims(env).pop(docname, None)
    _ledger_docs(env).discard(docname)


def merge_claims(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    """Bring the records of documents read by parallel workers into the main environment."""
    _claims(env).update({d: r for d, r in _claims(other).items() if d in docnames})
    _ledger_docs(env).update(_ledger_docs(other) & docnames)


def outdated_ledgers(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                     removed: set[str]) -> list[str]:
    """Re-read the ledger pages whenever any document changes, so that their tables are current."""
    return sorted(_ledger_docs(env) - added - changed) if added or changed or removed else []


def check_unique_ids(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn about a claim id made in two documents (anchors and ledger rows must be unique)."""
    first: dict[str, str] = {}
    for docname in _doc_order(env):
        for record in _claims(env).get(docname, []):
            if record["id"] in first:
                logger.warning(f"claim id {record['id']!r} is also used in {first[record['id']]!r}",
                               location=(docname, record["line"]), type="claims", subtype="duplicate")
            else:
                first[record["id"]] = docname


def _doc_order(env: BuildEnvironment) -> list[str]:
    """Documents with claims, in the order of the table of contents (others after, by name)."""
    order: list[str] = []

    def visit(docname: str) -> None:
        if docname not in order:
            order.append(docname)
            for child in env.toctree_includes.get(docname, []):
                visit(child)

    visit(env.config.root_doc)
    claims = _claims(env)
    return [d for d in order if d in claims] + sorted(set(claims) - set(order))


def _chapter_title(env: BuildEnvironment, docname: str) -> nodes.paragraph:
    """The document's title with its chapter number; a copy of the title node, so that math in it renders."""
    title = nodes.paragraph()
    number = env.toc_secnumbers.get(docname, {}).get("")
    if number:
        title += nodes.Text(f"{'.'.join(map(str, number))}. ")
    if docname in env.titles:
        title.extend(child.deepcopy() for child in env.titles[docname].children)
    else:
        title += nodes.Text(docname)
    return title


def _paragraph(text: str, classes: list[str] | None = None) -> nodes.paragraph:
    return nodes.paragraph("", "", nodes.Text(text), classes=classes or [])


def _summary(records: list[dict[str, Any]]) -> nodes.paragraph:
    identities = sum(r["kind"] == "identity" for r in records)
    evidence = len(records) - identities
    failed = sum(not r["passed"] for r in records)
    text = (f"{len(records)} claim checks in this build: {evidence} checked against theory, "
            f"{identities} consistency checks (identities that hold by construction)")
    return _paragraph(text + (f"; {failed} failed." if failed else "; all passed."), ["ll-claims-summary"])


def _table(app: Sphinx, fromdocname: str, rows: list[tuple[str, dict[str, Any]]]) -> nodes.table:
    table = nodes.table(classes=["ll-claims-ledger"])
    group = nodes.tgroup(cols=len(_COLUMNS))
    table += group
    for _, width in _COLUMNS:
        group += nodes.colspec(colwidth=width)
    head = nodes.row()
    for name, _ in _COLUMNS:
        head += nodes.entry("", _paragraph(name))
    group += nodes.thead("", head)
    body = nodes.tbody()
    group += body
    for index, (docname, record) in enumerate(rows):
        text = record["text"]
        link = make_refnode(app.builder, fromdocname, docname, record["anchor"],
                            nodes.literal(record["id"], record["id"]), record["id"])
        status = "ll-claim-status-identity" if record["kind"] == "identity" else "ll-claim-status-passed"
        if not record["passed"]:
            status = "ll-claim-status-failed"
        cells = [
            nodes.paragraph("", "", link),
            _paragraph(record["statement"]),
            _paragraph(text["measured"]),
            _paragraph(text["predicted"]),
            _paragraph(text["tolerance"]),
            _paragraph(text["status"], [status]),
        ]
        row = nodes.row(classes=[f"ll-claim-row-{record['kind']}"])
        if index == 0 or rows[index - 1][0] != docname:
            # One chapter cell spans the chapter's rows.
            span = sum(1 for d, _ in rows[index:] if d == docname) - 1
            row += nodes.entry("", _chapter_title(app.env, docname), morerows=span)
        for cell in cells:
            row += nodes.entry("", cell)
        body += row
    return table


def resolve_ledgers(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """Replace every ``claims-ledger`` placeholder by the summary and the table."""
    placeholders = list(doctree.findall(claims_ledger))
    if not placeholders:
        return
    env = app.env
    rows = [(d, r) for d in _doc_order(env) for r in _claims(env)[d]]
    for node in placeholders:
        if not rows:
            node.replace_self(_paragraph("No claim checks were found in the executed chapters of this build."))
            continue
        node.replace_self([_summary([r for _, r in rows]), _table(app, fromdocname, rows)])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(claims_ledger)
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-get-outdated", outdated_ledgers)
    app.connect("env-check-consistency", check_unique_ids)
    app.connect("doctree-resolved", resolve_ledgers)
    app.add_post_transform(MoveClaimAnchors)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
