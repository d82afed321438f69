"""Write every script of a page once: no ``Identifier 'THEBE_JS_URL' has already been declared``.

Sphinx 7.4 keeps a script that an extension registers after the HTML builder has started
(``app.add_js_file(None, body=...)``) twice: once as given (file name ``None``) and once more
when it re-reads its registry before writing (file name ``''``); the two do not compare equal, so
both reach the page. sphinx-thebe 0.3.1 registers its inline configuration that way
(``const THEBE_JS_URL = ...``), and the second ``const`` throws on every page; sphinx-togglebutton's
selector (a ``var``) is doubled the same way, harmlessly. Here each page's script list keeps the
first of any two scripts that are the same (same file or none, same priority, same attributes and
body), so the launch buttons and the thebe configuration work as before, declared once.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: the list is the builder's own, which Sphinx restores after each page.
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    # After every other handler (sphinx.ext.mathjax, myst-nb) has added its page's scripts.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
