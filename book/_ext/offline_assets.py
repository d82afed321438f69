"""Serve the book's reader-side JavaScript and fonts from the book itself, so that it works offline.

MathJax, the Jupyter widget HTML manager, require.js and Font Awesome 4 are pinned in the repository's
``package.json``/``package-lock.json`` and installed by ``make book`` with ``npm ci`` into
``node_modules/`` (git-ignored). After an HTML build this extension copies the files a page
can load into ``_static/vendor/``; ``_config.yml`` points ``mathjax_path`` and myst-nb's
``nb_ipywidgets_js`` there, and links to a CDN in cell outputs are rewritten to the copies
(``CDN_COPIES``). Any other builder (the PDF's LaTeX builder) needs none of it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the copies go, under the build's ``_static`` (the config's paths are relative to it).
VENDOR = "vendor"

#: Per npm package: (folder inside the package, destination under _static/vendor, glob patterns
#: of the files to copy); each copy keeps its package.json (version and licence). Only what a
#: page can request is copied: for MathJax the component it starts from plus every component it
#: may load later (TeX extensions via autoload, the CHTML fonts, the menu and its accessibility
#: tools with their speech rules).
ASSETS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "mathjax": [
        ("es5", "mathjax", ("tex-mml-chtml.js",)),
        ("es5/input", "mathjax/input", ("**/*.js",)),
        ("es5/output/chtml", "mathjax/output/chtml", ("**/*",)),
        ("es5/a11y", "mathjax/a11y", ("**/*.js",)),
        ("es5/ui", "mathjax/ui", ("**/*.js",)),
        ("es5/sre", "mathjax/sre", ("**/*",)),
        ("", "mathjax", ("LICENSE", "package.json")),
    ],
    "@jupyter-widgets/html-manager": [
        # embed-amd.js finds its fonts (Font Awesome, hashed names) next to itself.
        ("dist", "html-manager", ("embed-amd.js", "*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg")),
        ("", "html-manager", ("package.json",)),  # names its version and licence (BSD-3-Clause)
    ],
    "requirejs": [
        ("", "requirejs", ("require.js", "package.json")),
    ],
    # The icons of matplotlib's to_jshtml animation player (play, step, loop buttons).
    "font-awesome": [
        ("css", "font-awesome/css", ("font-awesome.min.css",)),
        ("fonts", "font-awesome/fonts", ("*",)),
        ("", "font-awesome", ("package.json",)),
    ],
}

#: Stylesheets that cell outputs link from a CDN, and their copy under _static/vendor.
#: matplotlib's to_jshtml player links Font Awesome 4.4; 4.7 has the same icons under the same names.
CDN_COPIES = {
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css": (
        "font-awesome/css/font-awesome.min.css"
    ),
}


def _node_modules(app: Sphinx) -> Path:
    return Path(app.srcdir) / "node_modules"


def _check_installed(app: Sphinx) -> None:
    """Fail early, naming the fix, if the pinned packages are missing or stale."""
    if app.builder.format != "html":
        return
    lock_path = Path(app.srcdir) / "package-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))["packages"]
    for package in ASSETS:
        installed = _node_modules(app) / package / "package.json"
        pinned = lock[f"node_modules/{package}"]["version"]
        if not installed.is_file():
            raise ExtensionError(
                f"offline_assets: {package} is not installed in {_node_modules(app)}; "
                "run `npm ci` in the repository (`make book` does)"
            )
        version = json.loads(installed.read_text(encoding="utf-8"))["version"]
        if version != pinned:
            raise ExtensionError(
                f"offline_assets: {package} {version} is installed but package-lock.json pins "
                f"{pinned}; run `npm ci` (`make book` does)"
            )


def _copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target_root = Path(app.outdir) / "_static" / VENDOR
    n_files = 0
    for package, parts in ASSETS.items():
        package_dir = _node_modules(app) / package
        for source, destination, patterns in parts:
            base = package_dir / source
            for pattern in patterns:
                files = [p for p in base.glob(pattern) if p.is_file()]
                if not files:
                    raise ExtensionError(f"offline_assets: nothing matches {pattern} in {base}")
                for path in files:
                    target = target_root / destination / path.relative_to(base)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
                    n_files += 1
    logger.info(f"offline_assets: {n_files} files copied to {target_root}")


def _local_copies(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Point a page's links to CDN stylesheets (in notebook outputs) at the book's own copies."""
    body = context.get("body")
    if not body:
        return
    for url, copy in CDN_COPIES.items():
        if url in body:
            body = body.replace(url, context["pathto"](f"_static/{VENDOR}/{copy}", 1))
    context["body"] = body


def setup(app: Sphinx) -> dict:
    # MathJax on every page, not only on pages with equations of their own: the navigation lists
    # chapter titles with math (chapter 3's L(eta), as TeX), which would show as raw TeX elsewhere.
    app.set_html_assets_policy("always")
    app.connect("builder-inited", _check_installed)
    app.connect("html-page-context", _local_copies)
    app.connect("build-finished", _copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
