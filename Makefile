# The two README commands: `make demo` and `make test`. Everything else is a step of those.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 5000

.PHONY: demo test check install system-deps fonts catalogs vendor bench serve clean

demo: install fonts      ## set up, load the demo data, serve on http://127.0.0.1:$(PORT)
	$(BIN)/portal demo
	PORTAL_SIGNIN_NEW_NETWORK_CHECK=0 PORT=$(PORT) $(BIN)/portal serve --port $(PORT)  # the walkthrough needs no e-mailed codes

test: install system-deps  ## set up, then run the whole suite (browser and PostgreSQL tests included)
	scripts/run-tests.sh

check: install           ## the quick checks while iterating: ruff, the import contract, mypy, unit tests of the rules
	scripts/check.sh

install: $(STAMP) catalogs

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

catalogs: $(STAMP)
	$(BIN)/python -c "from portal.web.catalogs import compile_catalogs; compile_catalogs()"

system-deps:             ## Debian packages the tests need: Chromium, a CJK font, PostgreSQL
	scripts/system-deps.sh

fonts:                   ## the CJK font certificate PDFs are drawn with (Debian fonts-noto-cjk)
	scripts/system-deps.sh fonts

serve: install
	PORT=$(PORT) $(BIN)/portal serve --port $(PORT)

bench: install fonts     ## the benchmarks of the README (BENCH_ARGS="--docs 5000 --embed" for a quick run), then the dev-set eval
	$(BIN)/python bench/search_latency.py $(BENCH_ARGS)
	$(BIN)/python bench/certificate_pdf.py
	$(BIN)/python bench/sign_in_timing.py
	if [ -d ../shared/eval/dev ]; then $(BIN)/python scripts/eval_search.py; else echo "../shared/eval/dev not found: dev-set eval skipped"; fi

vendor:                  ## re-vendor htmx and the tests' axe-core from their npm packages (see their VERSION.md)
	scripts/vendor-htmx.sh 2.0.11
	scripts/vendor-axe.sh 4.14.1

clean:
	rm -rf $(VENV) instance search_index/gen-* search_index/current test-artifacts
