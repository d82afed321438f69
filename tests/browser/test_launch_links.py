"""The built pages' launch and download buttons open the launch notebooks (needs `make book`).

Static checks of the HTML in _build/html, run by `make browser-test` with the other checks of
the built book: every notebook page's Colab button opens its plain-Markdown copy in launch/ on
the repository's branch, its .ipynb download serves that copy from the site, Binder opens the
MyST original in JupyterLab, and no launch URL has a ``./`` path segment.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOTEBOOK_PAGES = [
    chapter["file"]
    for part in TOC["parts"]
    for chapter in part["chapters"]
    if (ROOT / f"{chapter['file']}.ipynb").exists()
]


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_buttons_open_the_launch_notebook(doc):
    page = SITE / f"{doc}.html"
    assert page.is_file(), f"no built page {page}: run make book first"
    html = page.read_text(encoding="utf-8")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    org_repo = config["url"].removeprefix("https://github.com/").strip("/")
    rel = doc.removeprefix("book/")
    hrefs = re.findall(r'href="([^"]+)"', html)
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    binder = [h for h in hrefs if "mybinder.org" in h]
    download = [h for h in hrefs if h.endswith(".ipynb") and not h.startswith("http")]
    assert colab == [f"https://colab.research.google.com/github/{org_repo}/blob/{config['branch']}/launch/{rel}.ipynb"]
    assert len(binder) == 1 and binder[0].endswith(f"urlpath=lab/tree/{doc}.ipynb")
    assert len(download) == 1 and (page.parent / download[0]).resolve() == (SITE / "_launch" / f"{rel}.ipynb")
    served = json.loads((SITE / "_launch" / f"{rel}.ipynb").read_text())
    assert served == json.loads((ROOT / "launch" / f"{rel}.ipynb").read_text())
    assert not [h for h in hrefs if "/./" in h or "=./" in h]
