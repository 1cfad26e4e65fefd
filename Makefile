# Two commands do all the set-up: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
CHROMIUM_STAMP := .state/.chromium-checked

export AIRFLOW_HOME := $(CURDIR)/.airflow
export PYTHONDONTWRITEBYTECODE :=

.PHONY: help run test venv db-start db-url stop airflow-ui summary checksum clean report audit-reports

help:
	@echo "make run        set up, start the warehouse, run the annual DAG on the sample, print a summary"
	@echo "make test       set up and run the whole test suite"
	@echo "make db-start   start the embedded PostgreSQL (make stop stops it)"
	@echo "make db-url     print a libpq URL of the warehouse"
	@echo "make checksum   print a checksum of every published mart"
	@echo "make airflow-ui start the Airflow UI on the same DAGs (http://127.0.0.1:8080)"
	@echo "make report     write the province's report (HTML + DOCX) from the marts: UNIT=, INDEX=, YEAR=, OUT="
	@echo "make audit-reports  list the discrepancies of every report in data/reports (table + CSV + audit schema)"

venv: $(STAMP)

# Fast no-op once installed; reinstalls when the pins change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@echo "venv: installing pinned dependencies (constraints.txt)"
	@$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -c constraints.txt -e ".[test]"
	@touch $(STAMP)

db-start: venv
	@$(PY) -m ingest.cli db-start

db-url: venv
	@$(PY) -m ingest.cli db-url

stop: venv
	@$(PY) -m ingest.cli db-stop

run: venv
	@$(PY) -m ingest.cli db-start
	@$(PY) -m ingest.cli run-dag annual_release
	@$(PY) -m ingest.cli summary
	@$(PY) -m ingest.cli unit-summary
	@$(PY) -m ingest.cli audit-report --brief $(REPORTS)
	@$(PY) -m ingest.cli report --out .state/reports

summary: venv
	@$(PY) -m ingest.cli summary

checksum: venv
	@$(PY) -m ingest.cli checksum

test: venv $(CHROMIUM_STAMP)
	@$(PY) -m ingest.cli db-start
	@$(PY) -m pytest

airflow-ui: venv
	@$(PY) -m ingest.cli airflow-setup
	$(VENV)/bin/airflow standalone

# The province report (HTML + DOCX), read from the marts; the latest published year unless YEAR is given.
UNIT ?= Lai Châu
INDEX ?= PAR_INDEX
OUT ?= .state/reports
report: venv
	@$(PY) -m ingest.cli report --unit "$(UNIT)" --index $(INDEX) $(if $(YEAR),--year $(YEAR)) --out $(OUT)

# The audit of published reports: every report folder with transcribed figures (scores.csv).
REPORTS := $(patsubst %/scores.csv,%,$(wildcard data/reports/*/scores.csv))
audit-reports: venv
	@$(PY) -m ingest.cli audit-report $(REPORTS)

# Headless Chromium for the test that opens the report's HTML page (Debian's package, installed as root).
$(CHROMIUM_STAMP):
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || apt-get install -y --no-upgrade chromium
	@command -v chromium >/dev/null || echo "chromium is not installed (needs root): the browser test is skipped"
	@mkdir -p $(@D) && touch $@

clean:
	rm -rf .airflow .state dbt/target dbt/logs
