"""Launch and download links that open the launch notebooks (local Sphinx extension).

Colab and a downloaded notebook cannot render MyST, so for every notebook page the book links
the copy that ``tools/launch_notebooks.py`` writes to ``launch/`` (plain Markdown, solutions at
the end, no stored outputs):

- the Colab button opens ``launch/<page>.ipynb`` from the repository (Colab reads GitHub);
- the ``.ipynb`` download button serves the same file, copied into the built site as
  ``_launch/<page>.ipynb``;
- Binder keeps the MyST original (JupyterLab renders it with jupyterlab-myst).

It also removes the ``./`` segment that sphinx-book-theme puts into every launch URL when the
book root is the repository root (``path_to_book: .``). Runs after the theme's own button code
(priority 501) on ``html-page-context``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

LAUNCH_DIR = "launch"  # in the repository, beside book/
BOOK_DIR = "book"
SITE_DIR = "_launch"  # in the built site


def launch_notebook(srcdir: Path, pagename: str) -> Path | None:
    """The launch notebook of a page (``book/02_sgd_to_flow`` -> ``launch/02_sgd_to_flow.ipynb``), if any."""
    if not pagename.startswith(f"{BOOK_DIR}/"):
        return None
    path = srcdir / LAUNCH_DIR / f"{pagename.removeprefix(BOOK_DIR + '/')}.ipynb"
    return path if path.exists() else None


def _without_dot_segment(url: str) -> str:
    return url.replace("/./", "/").replace("=./", "=")


def rewrite_buttons(buttons: list[dict[str, Any]], launch_rel: str | None, download_url: str | None) -> None:
    """Point Colab and the notebook download at the launch notebook; drop ``./`` from every URL.

    Parameters
    ----------
    buttons : list of dict
        sphinx-book-theme's ``header_buttons`` (groups with ``buttons`` inside), changed in place.
    launch_rel : str or None
        The launch notebook's path in the repository (``launch/02_sgd_to_flow.ipynb``), or None.
    download_url : str or None
        The launch notebook's URL in the built site, relative to the page, or None.
    """
    for button in buttons:
        if "buttons" in button:
            rewrite_buttons(button["buttons"], launch_rel, download_url)
            continue
        if "url" in button:
            button["url"] = _without_dot_segment(button["url"])
        if launch_rel is None:
            continue
        if button.get("text") == "Colab":
            # .../github/ORG/REPO/blob/BRANCH/book/PAGE.ipynb -> .../blob/BRANCH/launch/PAGE.ipynb
            head, _, rest = button["url"].partition("/blob/")
            button["url"] = f"{head}/blob/{rest.split('/', 1)[0]}/{launch_rel}"
        elif button.get("label") == "download-source-button" and button["url"].endswith(".ipynb"):
            button["url"] = download_url
            button["tooltip"] = "Download the notebook (plain Markdown, for Jupyter or Colab)"


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    buttons = context.get("header_buttons")
    if not buttons:
        return
    path = launch_notebook(Path(app.srcdir), pagename)
    launch_rel = path.relative_to(app.srcdir).as_posix() if path else None
    download_url = None
    if path is not None:
        download_url = context["pathto"](f"{SITE_DIR}/{path.relative_to(Path(app.srcdir) / LAUNCH_DIR).as_posix()}", 1)
    rewrite_buttons(buttons, launch_rel, download_url)


def _copy_launch_notebooks(app: Sphinx, exception: Exception | None) -> None:
    source = Path(app.srcdir) / LAUNCH_DIR
    if exception is None and app.builder.format == "html" and source.is_dir():
        shutil.copytree(source, Path(app.outdir) / SITE_DIR, dirs_exist_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _page_context, priority=502)
    app.connect("build-finished", _copy_launch_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
