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
.PHONY: setup demo test fuzz lint format clean dot browser

## setup: create $(VENV), install graphir (editable) with its dev tools, and Graphviz's dot
setup: $(VENV)/.graphir-installed dot

$(PY):
	@$(PYTHON) -m venv $(VENV) || { echo "make: '$(PYTHON) -m venv' failed: install Python 3.10+ with venv (Debian: apt-get install python3-venv)" >&2; exit 1; }

# Reinstalled when the package metadata changes; otherwise `make setup` is a no-op.
$(VENV)/.graphir-installed: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_FLAGS) -e '.[dev]'
	@touch $@

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
demo: setup
	$(PY) examples/baydin_worked.py out/baydin

## test: the whole test suite, hypothesis derandomized (its "ci" profile, see tests/conftest.py);
##       explore with random examples: make test HYPOTHESIS_PROFILE=dev
HYPOTHESIS_PROFILE ?= ci
test: setup browser
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(PY) -m pytest $(PYTEST_ARGS)

## fuzz: the fuzz tests of tests/fuzz with their large budgets: about 10^5 random inputs per
##       surface (parse, from_json, the command line), new ones each run; takes many minutes and
##       is not part of `make test`.  FUZZ_EXAMPLES=N gives every fuzz test N examples instead.
FUZZ_EXAMPLES ?=
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz GRAPHIR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz -p no:cacheprovider -rfxX $(PYTEST_ARGS)

## lint: ruff on the package, tests, examples and benchmarks
lint: setup
	$(VENV)/bin/ruff check graphir tests examples benchmarks

format: setup
	$(VENV)/bin/ruff format graphir tests examples

## clean: remove generated files (not the virtual environment)
clean:
	rm -rf out build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
