# The README's commands. Each target sets up .venv (Python >= 3.11) on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test lab lint bench clean student browser-test bwrap pdf stress

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python >= 3.11 is needed; run: make PYTHON=python3.11 ..."; exit 1; }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $(STAMP)

# The book's reader-side JavaScript (MathJax, the widget manager, require.js), pinned in
# package-lock.json like requirements.txt pins Python: `npm ci` installs exactly those versions into
# node_modules/ (git-ignored), and book/_ext/offline_assets.py copies them into the built book.
# Debian's npm is installed with apt-get when none is on PATH.
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  echo "No npm found; installing Debian's npm with apt-get."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends npm; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

## make book: build the HTML book with warnings as errors
book: $(STAMP) $(NPM_STAMP)
	@# The book shows the student versions of the coursework; a public fork without masters keeps its copies.
	if [ -d book/assignments ]; then $(BIN)/python -m langevin_lib.coursework make-student book/assignments book/coursework; fi
	@# Colab and the download button open plain-Markdown copies of the notebooks (launch/, committed).
	$(BIN)/python tools/launch_notebooks.py
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## make test: lint, the library's unit tests, and every book notebook under nbval
test: $(STAMP) bwrap
	$(BIN)/ruff check langevin_lib tests benchmarks tools book/_ext
	@# Every name a chapter uses is defined (pyflakes over the notebooks' code), so no cell fails on a
	@# NameError, and no code line is wider than the page (88 characters).
	$(BIN)/ruff check --select F,E501 --line-length 88 book/0*.ipynb
	COURSEWORK_REQUIRE_SANDBOX=1 $(BIN)/python -m pytest tests book --nbval-lax --nbval-current-env

## make stress: every chapter under three other random streams, and every library function a chapter
## relies on, made 15% wrong, failing its chapter
# (make test runs a few of each; this runs all of tests/chapters/)
stress: $(STAMP)
	LL_STRESS=all $(BIN)/python -m pytest tests/chapters -v

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

## make pdf: the whole book as one PDF (_build/latex/book.pdf), through Jupyter Book's LaTeX builder
# XeLaTeX (Unicode in code and outputs) from Debian's TeX Live, installed here with apt-get when
# missing, like Chromium above. Notebooks are not re-run when `make book` has filled the execution
# cache. The PDF is also copied into the HTML book (_build/html/book.pdf), which links to it.
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
                lmodern fonts-freefont-otf latexmk xindy
pdf: $(STAMP)
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v xindy >/dev/null && \
	  fc-list | grep -q FreeSerif || { \
	  echo "TeX Live is incomplete; installing Debian's $(TEX_PACKAGES) with apt-get."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); }
	if [ -d book/assignments ]; then $(BIN)/python -m langevin_lib.coursework make-student book/assignments book/coursework; fi
	rm -rf _build/latex  # a stale .tex there would be built too
	$(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	@if [ -d _build/html ]; then cp _build/latex/book.pdf _build/html/book.pdf; fi
	@echo "The PDF is at $(CURDIR)/_build/latex/book.pdf"

## make student: the student versions of the coursework masters (no solutions, no hidden tests)
student: $(STAMP)
	$(BIN)/python -m langevin_lib.coursework make-student book/assignments _build/student

## make lab: open the chapters in JupyterLab
lab: $(STAMP)
	$(BIN)/jupyter lab book

## make bench: speed measurements (ratios against a baseline in the same run)
bench: $(STAMP) bwrap
	$(BIN)/python benchmarks/bench_sgd.py
	$(BIN)/python benchmarks/bench_stationary.py
	$(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf _build
