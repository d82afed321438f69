"""A chapter in JupyterLab, as a student runs it: rendered MyST, Run All without errors, a live slider.

Run by `make browser-test` (BROWSER_TEST=1; see conftest.py). The test starts its own JupyterLab
server (a free port on 127.0.0.1, a random token, no browser, the project's .venv) on a temporary
copy of one chapter, with a temporary settings directory that turns off notebook windowing (so
that every cell is in the page) and nothing that reaches the network (no news, no update check,
no extension manager). Debian's or the system's Chromium, driven by Playwright as in
test_book_pages.py, opens the chapter and checks:

- every Markdown cell is rendered by jupyterlab-myst and shows no raw MyST: no directive or role
  source (``{prf:proposition}``, ``{term}``, ...), no option lines (``:class: dropdown``), no
  label lines (``(eq-...)=``), no fences;
- "Run All" finishes and no cell has an error output or a traceback on stderr;
- the first interactive figure (an output with a slider and an image, found through the
  ipywidgets DOM, whatever helper drew it) redraws when the slider moves one step, and moving it
  back restores the same image bytes.

The other chapters are opened in the same server, without their outputs, and checked for the first
point only (rendered Markdown without raw MyST), which needs no Run All.

A screenshot and a short report (timings, references that jupyterlab-myst left unresolved and
shows by their label) go to _build/screenshots/. Requests that leave 127.0.0.1 are blocked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("BOOK_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
CHAPTER = os.environ.get("JUPYTERLAB_TEST_CHAPTER", "02_sgd_to_flow.ipynb")
CHAPTERS = sorted(path.name for path in (ROOT / "book").glob("0*.ipynb"))
LOCAL_HOST = "127.0.0.1"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"]
# Generous: on a loaded 2-core machine JupyterLab takes up to a minute to load and Run All minutes.
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 900
REDRAW_TIMEOUT_S = 120

#: Raw MyST a student must not see in a rendered Markdown cell.
RAW_MYST = {
    "directive or role": re.compile(
        r"\{(?:prf:[a-z]+|exercise|solution(?:-start|-end)?|term|doc|cite(?::[a-z]+)?|numref|eq|ref|glue(?::[a-z]+)?"
        r"|note|warning|admonition|figure|math)\}"
    ),
    "option line": re.compile(r"^\s*:(?:class|label|name|nonumber|dropdown):", re.M),
    "label line": re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.M),
    "fence": re.compile(r"^\s*(?:`{3,}|:{3,})\s*\{?", re.M),
}


def _chromium() -> str:
    for name in filter(None, [os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"]):
        if path := shutil.which(name):
            return path
    pytest.fail("no Chromium found; `make browser-test` installs Debian's chromium, or set CHROMIUM=/path/to/chrome")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Callable[[str], str]]:
    """A JupyterLab server on a copy of the chapters; yields the URL of a chapter (with the token)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    work, settings = base / "work", base / "settings" / "@jupyterlab" / "notebook-extension"
    work.mkdir()
    settings.mkdir(parents=True)
    shutil.copy(ROOT / "book" / CHAPTER, work / CHAPTER)
    for chapter in CHAPTERS:  # the others only for their Markdown: without outputs they open faster
        if chapter != CHAPTER:
            notebook = json.loads((ROOT / "book" / chapter).read_text())
            for cell in notebook["cells"]:
                if cell["cell_type"] == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            notebook["metadata"].pop("widgets", None)
            (work / chapter).write_text(json.dumps(notebook))
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    notifications = base / "settings" / "@jupyterlab" / "apputils-extension"
    notifications.mkdir(parents=True)
    (notifications / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}  # the kernel picks its own
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        f"--ServerApp.ip={LOCAL_HOST}", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}", "--ServerApp.terminals_enabled=False",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    log = (base / "server.log").open("w")
    server = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    status = f"http://{LOCAL_HOST}:{port}/api/status?token={token}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(status, timeout=5):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(base / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
    try:
        yield lambda chapter: f"http://{LOCAL_HOST}:{port}/lab/tree/{chapter}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# JavaScript run in the page through the app that --LabApp.expose_app_in_browser puts on window.
NOTEBOOK = "window.jupyterapp.shell.currentWidget"
READY = f"""() => {{
  const nb = window.jupyterapp && {NOTEBOOK};
  const kernel = nb && nb.sessionContext && nb.sessionContext.session && nb.sessionContext.session.kernel;
  return Boolean(nb && nb.context && nb.context.isReady && kernel && kernel.status === 'idle');
}}"""
# Enough to read the Markdown: the document is loaded (its kernel may still be starting).
LOADED = f"""() => {{
  const nb = window.jupyterapp && {NOTEBOOK};
  return Boolean(nb && nb.context && nb.context.isReady);
}}"""
# JupyterLab renders a Markdown cell when it scrolls into view: visit each one, then read them all.
VISIT_MARKDOWN = f"""async () => {{
  for (const cell of {NOTEBOOK}.content.widgets.filter(c => c.model.type === 'markdown')) {{
    cell.node.scrollIntoView();
    await new Promise(resolve => setTimeout(resolve, 150));
  }}
}}"""
# The rendered text without its typeset math (KaTeX's text is symbols on separate lines, not MyST).
MARKDOWN_TEXT = f"""() => {NOTEBOOK}.content.widgets.filter(c => c.model.type === 'markdown').map(c => {{
  const myst = c.node.querySelector('.myst');
  if (!myst) return null;
  const copy = myst.cloneNode(true);
  copy.querySelectorAll('.katex, .katex-display, mjx-container, math').forEach(m => m.replaceWith('[math]'));
  return copy.textContent;
}})"""
ALL_RUN = f"""() => {{
  const nb = {NOTEBOOK};
  const code = nb.content.widgets.filter(c => c.model.type === 'code');
  return code.every(c => c.model.executionCount !== null) && nb.sessionContext.session.kernel.status === 'idle';
}}"""
PROBLEMS = f"""() => {NOTEBOOK}.content.widgets.filter(c => c.model.type === 'code').flatMap((c, k) =>
  c.model.outputs.toJSON().flatMap(o => {{
    if (o.output_type === 'error') return [`cell ${{k}}: ${{o.ename}}: ${{o.evalue}}`];
    const text = Array.isArray(o.text) ? o.text.join('') : (o.text || '');
    return o.name === 'stderr' && text.includes('Traceback') ? [`cell ${{k}} stderr: ${{text.slice(0, 300)}}`] : [];
  }}))"""
# The first output that holds both a slider and an image: the interactive figure.
FIGURE = """() => {
  const outputs = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
  const k = outputs.findIndex(o => o.querySelector('.widget-slider, .widget-hslider') && o.querySelector('img'));
  if (k >= 0) outputs[k].setAttribute('data-test-figure', 'yes');
  return k;
}"""
IMAGE_HASH = """async () => {
  const img = document.querySelector('[data-test-figure] img');
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def _markdown_with_text(path: Path) -> list[bool]:
    """For each Markdown cell of the notebook: whether it has text beyond MyST lines that render to nothing."""
    silent = re.compile(r"^\s*(?:(?:`{3,}|:{3,})(?:\{solution-(?:start|end)\}.*)?|:[\w-]+:.*|\([\w:.-]+\)=)\s*$")
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
    return [any(line.strip() and not silent.match(line) for line in "".join(c["source"]).split("\n")) for c in cells]


def _wait(page: Page, script: str, timeout_s: float, what: str) -> None:
    try:
        page.wait_for_function(script, timeout=timeout_s * 1000, polling=500)
    except Exception as exc:  # Playwright's TimeoutError: say what did not happen
        pytest.fail(f"{what} did not happen within {timeout_s:.0f} s ({type(exc).__name__})")


def _wait_for_image(page: Page, different_from: str | None, equal_to: str | None, timeout_s: float) -> str:
    """Poll the figure's image until its hash differs from (or equals) the given one; return the hash."""
    deadline = time.monotonic() + timeout_s
    while True:
        digest = page.evaluate(IMAGE_HASH)
        if (different_from is None or digest != different_from) and (equal_to is None or digest == equal_to):
            return digest
        if time.monotonic() > deadline:
            return digest
        page.wait_for_timeout(250)


def _in_a_thread(check: Callable[[], None]) -> None:
    # Playwright's sync API refuses to start inside a running event loop, and test_book_pages.py keeps
    # one open for its session-wide browser: drive this test's browser from a thread of its own.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            check()
        except BaseException as exc:  # re-raised in the test's thread, with its traceback
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_chapter_in_jupyterlab(lab):
    _in_a_thread(lambda: _check_chapter(lab(CHAPTER)))


@pytest.mark.parametrize("chapter", [name for name in CHAPTERS if name != CHAPTER])
def test_every_chapter_s_markdown_renders_without_raw_myst(lab, chapter):
    def check() -> None:
        with sync_playwright() as playwright:
            page, browser, _, console_errors = _open(playwright, lab(chapter), LOADED)
            try:
                _rendered_markdown(page, chapter, console_errors)
            finally:
                browser.close()

    _in_a_thread(check)


def _open(playwright, url: str, ready: str = READY) -> tuple[Page, Browser, list[str], list[str]]:
    """A headless page on ``url``, refusing every request off 127.0.0.1, once ``ready`` holds.

    Returns the page, its browser, the refused requests and the console errors (both kept up to date).
    """
    browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_FLAGS)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    blocked: list[str] = []

    def route(r):
        local = r.request.url.startswith(("data:", "blob:")) or f"//{LOCAL_HOST}:" in r.request.url
        if local:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    page.route("**/*", route)
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(url, timeout=START_TIMEOUT_S * 1000)
        _wait(page, ready, START_TIMEOUT_S, "JupyterLab opening the chapter")
    except BaseException:
        browser.close()
        raise
    return page, browser, blocked, console_errors


def _rendered_markdown(page: Page, chapter: str, console_errors: list[str]) -> tuple[list[str], list[str]]:
    """Check that jupyterlab-myst renders every Markdown cell with no raw MyST left in the text.

    Returns the rendered texts and the cross-references jupyterlab-myst reported as not found.
    """
    wanted = _markdown_with_text(ROOT / "book" / chapter)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        page.evaluate(VISIT_MARKDOWN)
        texts = page.evaluate(MARKDOWN_TEXT)
        missing = [k for k, (text, want) in enumerate(zip(texts, wanted, strict=True)) if want and not text]
        if not missing or time.monotonic() > deadline:
            break
    assert not missing, f"{chapter}: Markdown cells not rendered by jupyterlab-myst: {missing}"
    texts = [text or "" for text in texts]
    raw = [
        f"cell {k}, {kind}: {m.group(0)!r} in ...{text[max(0, m.start() - 40) : m.end() + 40]!r}..."
        for k, text in enumerate(texts)
        for kind, pattern in RAW_MYST.items()
        for m in pattern.finditer(text)
    ]
    assert not raw, f"{chapter}: raw MyST in rendered Markdown:\n" + "\n".join(raw)
    assert page.locator(".myst .myst-proof").count() > 0, f"{chapter}: no proof block rendered by MyST"
    unresolved = sorted(set(re.findall(r"Cross reference target was not found: ([^\n]+)", "\n".join(console_errors))))
    return texts, unresolved


def _check_chapter(url: str) -> None:
    timings: dict[str, float] = {}
    start = time.monotonic()
    with sync_playwright() as playwright:
        page, browser, blocked, console_errors = _open(playwright, url)
        try:
            timings["open"] = time.monotonic() - start

            # 1. jupyterlab-myst renders every Markdown cell, and no raw MyST is left in the text.
            texts, unresolved = _rendered_markdown(page, CHAPTER, console_errors)
            keys = re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "book" / "references.bib").read_text(), re.M)
            cited = sorted({key for key in keys for text in texts if key in text})

            # 2. Run All completes without an error output.
            t0 = time.monotonic()
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_timeout(1000)
            _wait(page, ALL_RUN, RUN_TIMEOUT_S, "Run All finishing")
            timings["run all"] = time.monotonic() - t0
            problems = page.evaluate(PROBLEMS)
            assert not problems, "error outputs after Run All:\n" + "\n".join(problems)

            # 3. A slider step redraws the figure; the step back restores it.
            figure = page.evaluate(FIGURE)
            assert figure >= 0, "no output with an ipywidgets slider and an image after Run All"
            container = page.locator("[data-test-figure]")
            container.scroll_into_view_if_needed()
            before = _wait_for_image(page, None, None, 0)
            readout = container.locator(".widget-readout").first
            value = readout.inner_text()
            handle = container.locator(".noUi-handle").first
            at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            forward, backward = ("ArrowLeft", "ArrowRight") if at_end else ("ArrowRight", "ArrowLeft")
            t0 = time.monotonic()
            handle.focus()
            page.keyboard.press(forward)
            moved = _wait_for_image(page, before, None, REDRAW_TIMEOUT_S)
            timings["redraw"] = time.monotonic() - t0
            assert readout.inner_text() != value, "the slider's readout did not change"
            assert moved != before, "the figure did not change when the slider moved"
            page.keyboard.press(backward)
            back = _wait_for_image(page, None, before, REDRAW_TIMEOUT_S)
            assert readout.inner_text() == value, "the slider did not return to its first value"
            assert back == before, "moving the slider back did not restore the figure"
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"jupyterlab-{Path(CHAPTER).stem}.png"), full_page=False)
            browser.close()
    timings["total"] = time.monotonic() - start
    report = [
        f"JupyterLab test of {CHAPTER}: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
        f"Blocked external requests: {len(blocked)}",
        *(f"  {url}" for url in sorted(set(blocked))),
        "References jupyterlab-myst leaves unresolved (shown by their label; the web book and the launch "
        f"notebooks resolve them): {len(unresolved)}",
        *(f"  {label}" for label in unresolved),
        f"Citations jupyterlab-myst shows by their key (it reads no .bib file): {len(cited)}",
        *(f"  {key}" for key in cited),
    ]
    (SHOTS / "jupyterlab-report.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
