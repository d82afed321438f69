"""Open every page of the built book in headless Chromium, as a reader without network would.

Run by `make browser-test` after `make book`. The built site (`_build/html`) is
served on 127.0.0.1 by Python's http.server, and Debian's or the system's
Chromium is driven by Playwright through ``executable_path`` (Playwright's own
browser downloads are never used). Every request that leaves 127.0.0.1 is
refused, so the result is the same with and without internet. Every page fails on:

- any request outside the book (the book serves MathJax, the widget manager,
  require.js and its fonts itself; launch buttons are links, not requests);
- any JavaScript error: an uncaught exception or a ``console.error``, none tolerated;
- an internal link to a missing page or a missing anchor, an image that does
  not load, an internal request that fails or answers with an HTTP error;
- math that is not typeset: fewer MathJax formulas than math elements in the
  page's HTML, a MathJax error element, or raw TeX left in the text (``\\(``,
  ``\\[``, ``$$`` outside code);
- a saved widget state that does not render (a widget view with nothing drawn,
  an image in it that does not load) and any empty output box;

and every chapter (``book/NN_*.html``) also on:

- a figure declared in its notebook (``mystnb.figure.name``) that is missing from
  the page, has no caption, or whose image has no alt text or does not load;
- no kernel-free widget fallback (a ``to_jshtml`` animation) whose slider
  changes the frame.

The intro page links to the PDF edition (``book.pdf``, copied in by `make pdf`): its
absence fails only with BOOK_PDF_REQUIRED=1 (CI), otherwise it is reported.
Screenshots of every chapter, in the theme's light and dark modes, and a
report (pages, formulas, widgets) go to ``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from docutils.nodes import make_id
from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SHOTS = Path(os.environ.get("BOOK_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
# --headless comes from launch(headless=True); the rest keep Chromium off the network and quiet.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHAPTER = re.compile(r"^book/\d\d_[^/]+\.html$")
NAVIGATION_TIMEOUT_MS = 120_000  # a chapter typesets ~500 formulas; slow on a busy 2-core machine
LOCAL_HOST = "127.0.0.1"
# The PDF edition in the HTML book (written by `make pdf`); the intro page links to it.
PDF_NAME = "book.pdf"
PDF_REQUIRED = os.environ.get("BOOK_PDF_REQUIRED") == "1"
# How long MathJax and the widget manager may take to finish a page (a chapter has ~500 formulas).
RENDER_TIMEOUT_MS = 60_000
# A page is loaded when none of its requests has been in flight for QUIET_MS (polled every POLL_MS).
QUIET_MS = 500
POLL_MS = 100


def _pages() -> list[str]:
    """Every HTML page of the site, as paths relative to its root (theme assets excluded)."""
    if not (SITE / "index.html").is_file():
        return []
    pages = (p.relative_to(SITE) for p in SITE.rglob("*.html"))
    return sorted(p.as_posix() for p in pages if not any(part.startswith("_") for part in p.parts))


PAGES = _pages()
CHAPTERS = [p for p in PAGES if CHAPTER.match(p)]


def chromium_executable() -> str:
    """The system Chromium: $CHROMIUM, else the first of the usual names on PATH."""
    candidates = [
        os.environ.get("CHROMIUM", ""),
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    for name in filter(None, candidates):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium found; `make browser-test` installs Debian's chromium, or set CHROMIUM=/path/to/chrome")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    timeout = 30  # seconds a connection may stay idle, so that a stuck request cannot hang the run

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable(), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def report() -> Iterator[dict]:
    """What each page had to tolerate; written to _build/screenshots/ at the end."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    data: dict = {"site": str(SITE), "pages": {}}
    yield data
    (SHOTS / "browser-report.json").write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    pages = data["pages"]
    blocked = sorted({url for page in pages.values() for url in page["blocked_external"]})
    lines = [
        f"Pages checked: {len(pages)}",
        *(
            f"  {name}: {p['formulas']} formulas typeset, {p['widgets']} widgets rendered"
            + (f", {len(p['problems'])} problems" if p["problems"] else "")
            for name, p in sorted(pages.items())
        ),
        f"Formulas typeset: {sum(p['formulas'] for p in pages.values())}",
        f"Widgets rendered from their saved state: {sum(p['widgets'] for p in pages.values())}",
        f"Requests outside the book (refused; each one fails its page): {len(blocked)}",
        *(f"  {url}" for url in blocked),
        *data.get("notes", []),
        f"Screenshots: {SHOTS}",
    ]
    (SHOTS / "browser-report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@functools.cache
def _anchors(path: Path) -> frozenset[str]:
    """The ids (and legacy names) an HTML file defines, i.e. the fragments a link may point to."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(re.findall(r'\s(?:id|name)="([^"]+)"', text))


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST


class PageVisit:
    """A page opened in the browser, with everything that went wrong while it loaded."""

    def __init__(self, page: Page, url: str):
        self.page = page
        self.blocked_external: list[str] = []
        self.failed_internal: list[str] = []
        self.js_errors: list[str] = []
        self.pending: dict[object, str] = {}  # requests not finished yet, for the report of a timeout
        page.route("**/*", self._route)
        page.on("request", lambda request: self.pending.__setitem__(request, request.url))
        page.on("requestfinished", lambda request: self.pending.pop(request, None))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
        self._wait_until_quiet(url)

    def _wait_until_quiet(self, url: str) -> None:
        """Wait until no request of the page has been in flight for QUIET_MS.

        Playwright's own "networkidle" state once never arrived on a loaded 2-core CI machine
        although every request the page made had finished (api.html, 120 s, nothing pending), so
        the page's requests are counted here, from the events that report them.
        """
        quiet_since = None
        for _ in range(NAVIGATION_TIMEOUT_MS // POLL_MS):
            if self.pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = 0
            else:
                quiet_since += POLL_MS
                if quiet_since >= QUIET_MS:
                    return
            self.page.wait_for_timeout(POLL_MS)
        pending = sorted(self.pending.values())
        pytest.fail(f"{url}: requests still in flight after {NAVIGATION_TIMEOUT_MS} ms: {pending}")

    def _page_error(self, exc) -> None:
        self.js_errors.append(f"uncaught {exc.name}: {exc.message}")

    def _route(self, route: Route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            self.blocked_external.append(route.request.url)
            route.abort("internetdisconnected")

    def _request_failed(self, request) -> None:
        self.pending.pop(request, None)
        if _is_local(request.url) and not request.url.startswith("data:"):
            self.failed_internal.append(f"{request.url}: {request.failure}")

    def _response(self, response) -> None:
        if _is_local(response.url) and response.status >= 400:
            self.failed_internal.append(f"{response.url}: HTTP {response.status}")

    def _console(self, message) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "") if message.location else ""
        self.js_errors.append(f"{message.text} [{source}]")


def test_the_book_is_built():
    assert PAGES, f"no built book at {SITE}: run `make book` first"
    assert CHAPTERS, f"no chapter pages (book/NN_*.html) in {SITE}"


@pytest.mark.parametrize("name", PAGES)
def test_page(name: str, browser: Browser, base_url: str, report: dict):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        visit = PageVisit(page, base_url + name)
        formulas, math_problems = _math(page)
        widgets, widget_problems = _widgets(page)
        problems = math_problems + widget_problems + _empty_outputs(page)
        problems += _broken_links(page, base_url, report)
        problems += [f"image does not load: {src[:120]}" for src in _broken_images(page)]
        if CHAPTER.match(name):
            problems += _missing_figures(page, name)
            problems += _missing_fallback(page)
            _screenshots(page, name)
        # Read last: typesetting, widget rendering and the checks above may request files or fail.
        problems += [f"request outside the book: {url}" for url in sorted(set(visit.blocked_external))]
        problems += [f"failed internal request {r}" for r in visit.failed_internal]
        problems += [f"JavaScript error: {e}" for e in visit.js_errors]
        report["pages"][name] = {
            "blocked_external": sorted(set(visit.blocked_external)),
            "formulas": formulas,
            "widgets": widgets,
            "problems": problems,
        }
        assert not problems, f"{name}:\n  " + "\n  ".join(problems)
    finally:
        context.close()


def _math(page: Page) -> tuple[int, list[str]]:
    """Typeset formulas on the page, and what is wrong with its math.

    Sphinx writes each formula as ``span.math`` (inline) or ``div.math`` (display); MathJax turns
    each into at least one ``mjx-container``. Text outside code that still holds a TeX delimiter
    after typesetting is math the reader sees raw (e.g. a chapter title in the navigation).
    """
    expected = page.locator("span.math, div.math").count()
    has_mathjax = page.evaluate("() => !!(window.MathJax && window.MathJax.startup)")
    if not has_mathjax:
        problems = [f"{expected} math elements but no MathJax on the page"] if expected else []
        return 0, problems + _raw_tex(page)
    page.wait_for_function(
        "() => window.MathJax.startup.promise !== undefined && window.MathJax.startup.document !== undefined",
        timeout=RENDER_TIMEOUT_MS,
    )
    page.evaluate("() => window.MathJax.startup.promise")
    typeset = page.locator("mjx-container").count()
    problems = []
    if typeset < expected:
        problems.append(f"only {typeset} of {expected} formulas typeset by MathJax")
    errors = page.evaluate(
        """() => Array.from(document.querySelectorAll("mjx-merror, [data-mjx-error]"))
                     .map(e => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 120))"""
    )
    problems += [f"MathJax error: {e}" for e in errors]
    return typeset, problems + _raw_tex(page)


def _raw_tex(page: Page) -> list[str]:
    """Snippets of visible text (code excluded) that still hold TeX delimiters."""
    snippets = page.evaluate(
        r"""() => {
            const root = document.body.cloneNode(true);
            root.querySelectorAll("pre, code, script, style, textarea, mjx-container, .highlight")
                .forEach(n => n.remove());
            const text = root.textContent;
            const found = [];
            for (const delimiter of ["\\(", "\\[", "$$"]) {
                let at = text.indexOf(delimiter);
                while (at >= 0 && found.length < 10) {
                    found.push(text.slice(Math.max(0, at - 30), at + 50).replace(/\s+/g, " "));
                    at = text.indexOf(delimiter, at + 1);
                }
            }
            return found;
        }"""
    )
    return [f"raw TeX in the text: ...{s}..." for s in snippets]


def _widgets(page: Page) -> tuple[int, list[str]]:
    """Widget views rendered from the page's saved widget state, and those that did not render.

    The HTML manager replaces each ``widget-view`` script by the widget it describes, drawn into a
    ``widget-subarea`` next to it; a view that stays empty (or whose images do not load) is a dead
    box for the reader.
    """
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if not views:
        return 0, []
    try:
        page.wait_for_function(
            """n => document.querySelectorAll(".widget-subarea > *").length >= n""",
            arg=views,
            timeout=RENDER_TIMEOUT_MS,
        )
    except PlaywrightTimeout:
        pass  # reported below, view by view
    rendered = page.evaluate(
        """() => Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
            .map(script => {
                const area = script.parentElement.querySelector(".widget-subarea");
                const box = area ? area.getBoundingClientRect() : {width: 0, height: 0};
                const images = area ? Array.from(area.querySelectorAll("img")) : [];
                return {
                    model: JSON.parse(script.textContent).model_id,
                    drawn: !!area && area.children.length > 0 && box.width > 0 && box.height > 20,
                    images: images.length,
                    broken: images.filter(img => !img.complete || img.naturalWidth === 0).length,
                };
            })"""
    )
    problems = []
    for k, view in enumerate(rendered):
        if not view["drawn"]:
            problems.append(f"widget {k + 1} (model {view['model']}) does not render from its saved state")
        elif view["broken"]:
            problems.append(f"widget {k + 1} (model {view['model']}): {view['broken']} images do not load")
    return sum(view["drawn"] and not view["broken"] for view in rendered), problems


def _empty_outputs(page: Page) -> list[str]:
    """Output boxes of notebook cells that show the reader nothing.

    An output inside a folded solution is hidden, not empty: it is checked only when shown.
    """
    empty = page.evaluate(
        """() => Array.from(document.querySelectorAll("div.cell_output"))
            .filter(out => out.checkVisibility({visibilityProperty: true, opacityProperty: true}))
            .filter(out => {
                const box = out.getBoundingClientRect();
                const media = out.querySelectorAll(
                    "img, svg, canvas, video, iframe, mjx-container, .widget-subarea > *");
                return box.height < 5 || (!out.innerText.trim() && media.length === 0);
            })
            .map(out => (out.closest(".cell") || out).id || out.parentElement.className)"""
    )
    return [f"empty output box: {where or 'a cell'}" for where in empty]


def _broken_links(page: Page, base_url: str, report: dict) -> list[str]:
    """Internal links whose page is missing, or whose #fragment is not an id of that page."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    live_ids = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
    current = page.url.split("#")[0]
    problems = []
    for href in sorted(set(hrefs)):
        if not href.startswith(base_url):
            continue  # external sites and mailto: are not this book's to check
        parts = urlsplit(href)
        rel = unquote(parts.path)[len(urlsplit(base_url).path) :]
        target = SITE / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        if target == SITE / PDF_NAME and not target.is_file() and not PDF_REQUIRED:
            report.setdefault("notes", []).append(f"Not checked: the link to {PDF_NAME} (run make pdf first)")
            continue
        if not target.is_file():
            problems.append(f"broken link: {href}")
            continue
        fragment = unquote(parts.fragment)
        if not fragment or target.suffix != ".html":
            continue
        ids = live_ids if href.split("#")[0] == current else _anchors(target)
        if fragment not in ids:
            problems.append(f"broken anchor: {href}")
    return problems


def _broken_images(page: Page) -> list[str]:
    """Images that the browser could not decode (lazy ones are loaded first)."""
    return page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            images.forEach(img => { img.loading = "eager"; });
            const settle = img => Promise.race([
                img.decode().catch(() => null), new Promise(done => setTimeout(done, 5000))]);
            await Promise.all(images.map(settle));
            return images.filter(img => img.src && (!img.complete || img.naturalWidth === 0))
                         .map(img => img.currentSrc || img.src);
        }"""
    )


def _declared_figures(name: str) -> list[str]:
    """The figure names (``mystnb.figure.name``) of the chapter's notebook, from the build's copy of it."""
    source = SITE / "_sources" / name.replace(".html", ".ipynb")
    if not source.is_file():
        return []
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    figures = []
    for cell in cells:
        meta = cell.get("metadata", {})
        tags = meta.get("tags", [])
        if "remove-cell" in tags or "remove-output" in tags:
            continue
        figure = meta.get("mystnb", {}).get("figure", {})
        if figure.get("name"):
            figures.append(make_id(figure["name"]))  # the HTML id Sphinx gives the label (lower case)
    return figures


def _missing_figures(page: Page, name: str) -> list[str]:
    problems = []
    declared = _declared_figures(name)
    if not declared:
        problems.append("the chapter declares no figures (mystnb.figure metadata) in its notebook")
    for fig in declared:
        found = page.evaluate(
            """id => {
                const node = document.getElementById(id);
                if (!node) return null;
                const figure = node.closest("figure") || node;
                const img = figure.querySelector("img");
                const caption = figure.querySelector("figcaption");
                return {
                    img: !!img, loaded: !!img && img.complete && img.naturalWidth > 0,
                    alt: img ? (img.getAttribute("alt") || "").trim() : "",
                    caption: caption ? caption.textContent.trim() : "",
                };
            }""",
            fig,
        )
        if found is None:
            problems.append(f"figure {fig} is missing from the page")
        elif not (found["img"] and found["loaded"]):
            problems.append(f"figure {fig} has no image that loads")
        else:
            if not found["caption"]:
                problems.append(f"figure {fig} has no caption")
            if not found["alt"] or found["alt"].startswith(("../", "_images")):
                problems.append(f"figure {fig} has no alt text")
    return problems


def _missing_fallback(page: Page) -> list[str]:
    """The kernel-free fallback: a to_jshtml player whose slider changes the frame."""
    players = page.locator("div.animation")
    if players.count() == 0:
        return ["no kernel-free widget fallback (to_jshtml animation) on the page"]
    problems = []
    for k in range(players.count()):
        player = players.nth(k)
        img = player.locator("img[id^='_anim_img']")
        slider = player.locator("input.anim-slider")
        if img.count() != 1 or slider.count() != 1:
            problems.append(f"animation {k + 1} has no frame image or no slider")
            continue
        if not (img.get_attribute("alt") or "").strip():
            problems.append(f"animation {k + 1} has no alt text")
        n_frames = int(slider.get_attribute("max") or 0) + 1
        first = img.get_attribute("src")
        slider.evaluate("(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", str(n_frames - 1))
        last = img.get_attribute("src")
        if n_frames < 2 or not first or first == last:
            problems.append(f"animation {k + 1} does not change frame with its slider ({n_frames} frames)")
    return problems


def _screenshots(page: Page, name: str) -> None:
    """Full-page screenshots in the light and the dark theme (the theme follows the system's colour scheme)."""
    stem = Path(name).stem
    page.evaluate("() => window.scrollTo(0, 0)")
    for mode in ("light", "dark"):
        page.emulate_media(color_scheme=mode)
        page.evaluate("mode => document.documentElement.dataset.theme = mode", mode)
        page.wait_for_timeout(200)
        # JPEG: a full chapter is ~20000 px tall, a quarter of the size of a PNG and still sharp enough to read.
        shot = SHOTS / f"{stem}-{mode}.jpg"
        page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=80, timeout=NAVIGATION_TIMEOUT_MS)
