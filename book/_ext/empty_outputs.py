"""Leave out cell outputs that show nothing, in every edition: no empty output box on a page.

A progress bar drawn with ``IPython.display`` and cleared when its loop ends
(``langevin_lib``'s progress bars in chapters 3 and 6) stays in the executed notebook as a
``text/html`` output with no HTML, next to the placeholder ``<IPython.core.display.HTML object>``.
The HTML book rendered it as an empty output box. Such a bundle is removed here, and so is a cell's
output area that has nothing else.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

# The repr Python gives an object without its own: no content for a reader.
DEFAULT_REPR = re.compile(r"^<[\w.]+ object(?: at 0x[0-9a-f]+)?>$")


def is_mime_bundle(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"


def shows_nothing(bundle: nodes.Element) -> bool:
    """True if every part of the bundle is blank or a default repr (and there is some HTML)."""
    parts = {child["mime_type"]: child.astext().strip() for child in bundle.children if "mime_type" in child}
    if "text/html" not in parts or any(m.startswith("image/") for m in parts):
        return False
    return all(not text or DEFAULT_REPR.match(text) for text in parts.values())


class DropEmptyOutputs(SphinxPostTransform):
    default_priority = 3  # before myst-nb's SelectMimeType (4) picks one type from each bundle

    def run(self, **kwargs) -> None:
        for bundle in list(self.document.findall(is_mime_bundle)):
            if not shows_nothing(bundle):
                continue
            area = bundle.parent
            area.remove(bundle)
            if isinstance(area, nodes.container) and area.get("nb_element") == "cell_code_output" and not area.children:
                area.parent.remove(area)


def setup(app: Sphinx) -> dict:
    app.add_post_transform(DropEmptyOutputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
