# inkorg-riv — the two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test demo lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## make test: create .venv, install the project with its test tools, run ruff, mypy --strict, pytest
test: $(STAMP)
	$(VENV)/bin/ruff check inkorg_riv tests benchmarks examples
	$(VENV)/bin/mypy --strict inkorg_riv
	$(PY) -m pytest -q

## make demo: the main job end-to-end against the local simulator over mutual TLS
## (make demo ARGS=--keep leaves the simulator running to open the inbox view)
demo: $(STAMP)
	$(PY) examples/demo.py $(ARGS)

## make bench: benchmarks/run.py (codec and validation vs zeep, xmlschema), then
## benchmarks/client.py (round trips over mutual TLS vs zeep + requests and raw http.client)
bench: $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/client.py

lint: $(STAMP)
	$(VENV)/bin/ruff check inkorg_riv tests benchmarks examples

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
