r"""What the PDF edition (``make pdf``, Sphinx's LaTeX builder) needs beyond the HTML book.

- Cell outputs with no static form are left out of the PDF: a widget view (its ``text/plain``
  fallback is only the widget's repr, ``VBox(children=(...``) and an HTML output whose
  ``text/plain`` is only a default object repr (``<IPython.core.display.HTML object>``, e.g. an
  animation player without a static frame). Outputs that carry an image keep it: myst-nb's
  priorities for the LaTeX builder (``nb_mime_priority_overrides`` in _config.yml) choose it.
- References to a numbered exercise of another chapter point at the exercise. sphinx-exercise
  1.2.1 writes LaTeX labels of its own (``exercise:<label>``) and rewrites only references within
  one document to them; a reference from another chapter stayed ``??`` in the PDF.
- The text of such a reference keeps its math: sphinx-exercise writes it as plain text, so a
  solution titled after "Exercise 3.9.5 (Why reshuffling gives $\eta^2$)" put a bare ``\eta^2``
  into LaTeX, which stops the build.
"""

from __future__ import annotations

from docutils import nodes
from empty_outputs import DEFAULT_REPR, is_mime_bundle
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import exercise_latex_number_reference

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _mime_parts(bundle: nodes.Element) -> dict[str, nodes.Element]:
    return {child["mime_type"]: child for child in bundle.children if "mime_type" in child}


def _has_no_static_form(bundle: nodes.Element) -> bool:
    parts = _mime_parts(bundle)
    if WIDGET_VIEW in parts:
        return True
    if any(m.startswith("image/") or m in ("application/pdf", "text/latex") for m in parts):
        return False
    plain = parts.get("text/plain")
    return "text/html" in parts and plain is not None and bool(DEFAULT_REPR.match(plain.astext().strip()))


class DropOutputsWithoutStaticForm(SphinxPostTransform):
    """Remove, for LaTeX, the mime bundles that have nothing to print (see the module docstring)."""

    default_priority = 3  # before myst-nb's SelectMimeType (4) picks one type from each bundle
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for bundle in list(self.document.findall(is_mime_bundle)):
            if _has_no_static_form(bundle):
                bundle.parent.remove(bundle)


class ExerciseReferencesAcrossChapters(SphinxPostTransform):
    """Turn a reference to another chapter's exercise into one sphinx-exercise resolves."""

    default_priority = 21  # after Sphinx resolves references (10), before sphinx-exercise's (22)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(nodes.reference)):
            # The LaTeX builder writes a reference into another document as "%<docname>#<label>".
            uri = node.get("refuri", "")
            if not uri.startswith("%") or "#" not in uri:
                continue
            label = uri.split("#", 1)[1]
            if label in registry:
                del node["refuri"]
                node["refid"] = label


def _latex_text(translator, node: nodes.Node) -> str:
    """The node's text for LaTeX: plain text escaped, math as math (protected: it may sit in a title)."""
    if isinstance(node, nodes.math):
        return r"\protect\(" + node.astext() + r"\protect\)"
    if isinstance(node, nodes.Text):
        return translator.encode(node.astext())
    return "".join(_latex_text(translator, child) for child in node.children)


def visit_exercise_reference(translator, node: nodes.Element) -> None:
    translator.body.append(rf"\hyperref[exercise:{node['refid']}]{{{_latex_text(translator, node)}}}")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    app.add_post_transform(DropOutputsWithoutStaticForm)
    app.add_post_transform(ExerciseReferencesAcrossChapters)
    app.add_node(exercise_latex_number_reference, override=True, latex=(visit_exercise_reference, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
