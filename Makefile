# graphir: set-up, demo, tests and lint.  Everything runs from a virtual environment
# that `make setup` creates (override its place with `make VENV=/path ...`).

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP_FLAGS ?= -qq --disable-pip-version-check
PYTEST_ARGS ?=
# sudo only when not already root (CI and these machines run as root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := demo
.PHONY: setup runtime dev install demo test fuzz lint format clean dot fonts browser tex docs

## setup: everything: $(VENV) with graphir (editable), its extras and dev tools, Graphviz's dot
##        and a CJK font (names in any script render; see `fonts`)
setup: dev dot fonts

## runtime: $(VENV) with graphir (editable) and what pictures need (matplotlib, Pillow): what
##          `make demo` installs
runtime: $(VENV)/.graphir-installed

## dev: runtime, and the test and lint tools (pytest, hypothesis, scipy, ruff): what `make test` adds
dev: $(VENV)/.graphir-dev

$(PY):
	@$(PYTHON) -m venv $(VENV) || { echo "make: '$(PYTHON) -m venv' failed: install Python 3.10+ with venv (Debian: apt-get install python3-venv)" >&2; exit 1; }

# Each stamp is redone when the package metadata changes; otherwise it is a no-op.
$(VENV)/.graphir-installed: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_FLAGS) -e '.[plot,gif]'
	@touch $@

$(VENV)/.graphir-dev: $(VENV)/.graphir-installed pyproject.toml
	$(PY) -m pip install $(PIP_FLAGS) -e '.[dev]'
	@touch $@

$(VENV)/.graphir-docs: $(VENV)/.graphir-installed pyproject.toml
	$(PY) -m pip install $(PIP_FLAGS) -e '.[docs]'
	@touch $@

## install: put the `graphir` command in your own environment (not $(VENV)): into the active
##          virtual environment when there is one, else with pipx when it is installed, else
##          with pip --user.  (Or use $(VENV): `. $(VENV)/bin/activate`, or run $(VENV)/bin/graphir.)
install: dot
	@if [ -n "$$VIRTUAL_ENV" ]; then \
	  echo "make: installing graphir into the active virtual environment $$VIRTUAL_ENV"; \
	  "$$VIRTUAL_ENV/bin/python" -m pip install $(PIP_FLAGS) '.[plot,gif]'; \
	elif command -v pipx >/dev/null 2>&1; then \
	  echo "make: installing graphir with pipx"; \
	  pipx install --force . && pipx inject graphir 'matplotlib>=3.6' 'pillow>=9.0'; \
	else \
	  echo "make: installing graphir with pip --user"; \
	  $(PYTHON) -m pip install $(PIP_FLAGS) --user '.[plot,gif]' || { \
	    echo "make: pip --user failed (a system Python may refuse it): activate a virtual environment and run make install again, or install pipx" >&2; exit 1; }; \
	  case ":$$PATH:" in *":$$($(PYTHON) -m site --user-base)/bin:"*) ;; \
	    *) echo "make: add $$($(PYTHON) -m site --user-base)/bin to your PATH to run graphir";; esac; \
	fi

## dot: Graphviz's dot program (apt-get install graphviz when it is missing)
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing Graphviz (dot) with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "make: Graphviz's 'dot' is missing and there is no apt-get: install graphviz with your package manager" >&2; \
	    exit 1; \
	  fi; }
	@command -v dot >/dev/null 2>&1 || { echo "make: Graphviz's 'dot' is still missing" >&2; exit 1; }

# A font with CJK glyphs, so that display names in any script render in pictures (Debian's
# fonts-noto-cjk, installed quietly when fc-list finds none and apt-get exists; never fatal).
fonts:
	@if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh family | grep -q .; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing a CJK font (fonts-noto-cjk) with apt-get"; \
	    { $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || \
	      { $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	        $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }; } || \
	      echo "make: could not install fonts-noto-cjk; names in CJK scripts may show as boxes" >&2; \
	  else \
	    echo "make: no CJK font found: install one (Noto Sans CJK) for names in CJK scripts" >&2; \
	  fi; \
	fi

## tex: pdflatex with TikZ and Beamer (for gi.to_tikz, its tests, and the LaTeX builder of the
##      docs) and dvisvgm (the docs site's formulas as SVG): Debian's texlive-latex-base,
##      texlive-pictures, texlive-latex-recommended and dvisvgm, and what Sphinx's LaTeX loads
##      (texlive-fonts-recommended and tex-gyre: tgtermes; texlive-latex-extra: fncychap, tabulary,
##      titlesec...; latexmk runs its Makefile; without their recommends: a Java runtime, a PDF
##      viewer), installed with apt-get when one is missing.  `make test` goes on without them
##      (the TikZ and Sphinx LaTeX compile tests skip)
TEX_PACKAGES := texlive-latex-base texlive-pictures texlive-latex-recommended dvisvgm
TEX_SPHINX_PACKAGES := texlive-fonts-recommended tex-gyre texlive-latex-extra latexmk
tex:
	@{ command -v pdflatex >/dev/null 2>&1 && kpsewhich tikz.sty >/dev/null 2>&1 && \
	   kpsewhich beamer.cls >/dev/null 2>&1 && command -v dvisvgm >/dev/null 2>&1 && \
	   kpsewhich tgtermes.sty fncychap.sty >/dev/null 2>&1 && command -v latexmk >/dev/null 2>&1; } || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing pdflatex and TikZ ($(TEX_PACKAGES) $(TEX_SPHINX_PACKAGES)) with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEX_PACKAGES) >/dev/null && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(TEX_SPHINX_PACKAGES) >/dev/null; \
	  else \
	    echo "make: pdflatex is missing and there is no apt-get: install a TeX distribution with TikZ" >&2; \
	    exit 1; \
	  fi; }

## docs: the documentation site (Sphinx + MyST, every worked example computed by graphir's
##       directive) into $(DOCS_OUT); warnings are errors.  Installs the `docs` extra into
##       $(VENV), Graphviz and pdflatex.  Open $(DOCS_OUT)/index.html.
DOCS_OUT ?= build/docs
docs: $(VENV)/.graphir-docs dot tex
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs $(DOCS_OUT)
	@echo "make: the site is in $(DOCS_OUT)/index.html"

## browser: a headless Chromium for the browser tests of the stepper (tests/browser); installed
##          with apt-get when no chromium is found; without apt-get those tests are skipped
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-headless-shell >/dev/null 2>&1 || \
	  command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing Chromium (for the browser tests) with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	    echo "make: could not install Chromium; the browser tests will be skipped" >&2; \
	  else \
	    echo "make: no Chromium and no apt-get: the browser tests will be skipped (install chromium to run them)" >&2; \
	  fi; }

## demo: the worked example ln(x1) + x1*x2 - sin(x2) at (2, 5), rendered into out/baydin
##       (installs graphir and what pictures need in $(VENV), not the test tools)
demo: runtime dot
	$(PY) examples/baydin_worked.py out/baydin
	@echo "make: the graphir command is in $(VENV): run '. $(VENV)/bin/activate' (or $(VENV)/bin/graphir), or 'make install'"

## test: the whole test suite, hypothesis derandomized (its "ci" profile, see tests/conftest.py);
##       explore with random examples: make test HYPOTHESIS_PROFILE=dev
HYPOTHESIS_PROFILE ?= ci
test: setup browser
	@$(MAKE) --no-print-directory tex || echo "make: no pdflatex with TikZ: the TikZ compile tests will be skipped" >&2
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(PY) -m pytest $(PYTEST_ARGS)

## fuzz: the fuzz tests of tests/fuzz with their large budgets: about 10^5 random inputs per
##       surface (parse, from_json, the command line), new ones each run; takes many minutes and
##       is not part of `make test`.  FUZZ_EXAMPLES=N gives every fuzz test N examples instead.
FUZZ_EXAMPLES ?=
fuzz: dev dot
	HYPOTHESIS_PROFILE=fuzz GRAPHIR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz -p no:cacheprovider -rfxX $(PYTEST_ARGS)

## lint: ruff on the package, tests, examples and benchmarks
lint: dev
	$(VENV)/bin/ruff check graphir tests examples benchmarks

format: dev
	$(VENV)/bin/ruff format graphir tests examples

## clean: remove generated files (not the virtual environment)
clean:
	rm -rf out build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
