# The README's commands. Each target sets up .venv (Python >= 3.11) on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test lab lint bench clean student browser-test bwrap

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python >= 3.11 is needed; run: make PYTHON=python3.11 ..."; exit 1; }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $(STAMP)

## make book: build the HTML book with warnings as errors
book: $(STAMP)
	@# The book shows the student versions of the coursework; a public fork without masters keeps its copies.
	if [ -d book/assignments ]; then $(BIN)/python -m langevin_lib.coursework make-student book/assignments book/coursework; fi
	@# Colab and the download button open plain-Markdown copies of the notebooks (launch/, committed).
	$(BIN)/python tools/launch_notebooks.py
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## make test: lint, the library's unit tests, and every book notebook under nbval
test: $(STAMP) bwrap
	$(BIN)/ruff check langevin_lib tests benchmarks tools book/_ext
	@# Every name a chapter uses is defined (pyflakes over the notebooks' code), so no cell fails on a NameError.
	$(BIN)/ruff check --select F book/0*.ipynb
	COURSEWORK_REQUIRE_SANDBOX=1 $(BIN)/python -m pytest tests book --nbval-lax --nbval-current-env

## make bwrap: Debian's bubblewrap, the sandbox of the coursework grader (installed with apt-get when missing)
bwrap:
	@command -v bwrap >/dev/null || { \
	  echo "No bwrap found; installing Debian's bubblewrap with apt-get."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends bubblewrap; }

## make browser-test: open every page of the built book (run make book first) in headless Chromium
# Playwright drives the system's Chromium (Debian's chromium package, installed here when no
# Chromium or Chrome is on PATH); Playwright's own browser downloads are never used. Fails on broken
# links or images, JavaScript errors, chapters without their figures or widget fallback; screenshots
# of every chapter and a report of what was tolerated go to _build/screenshots/.
browser-test: $(STAMP)
	@test -f _build/html/index.html || { echo "No built book in _build/html: run make book first."; exit 1; }
	@found="$$CHROMIUM"; for b in chromium chromium-browser google-chrome google-chrome-stable; do \
	  command -v $$b >/dev/null && found=$$b; done; \
	if [ -z "$$found" ]; then \
	  echo "No Chromium found; installing Debian's chromium with apt-get."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium; \
	fi
	rm -rf _build/screenshots
	BROWSER_TEST=1 $(BIN)/python -m pytest tests/browser -q; status=$$?; \
	  cat _build/screenshots/browser-report.txt 2>/dev/null; exit $$status

## make student: the student versions of the coursework masters (no solutions, no hidden tests)
student: $(STAMP)
	$(BIN)/python -m langevin_lib.coursework make-student book/assignments _build/student

## make lab: open the chapters in JupyterLab
lab: $(STAMP)
	$(BIN)/jupyter lab book

## make bench: speed measurements (ratios against a baseline in the same run)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_sgd.py
	$(BIN)/python benchmarks/bench_stationary.py

clean:
	rm -rf _build
