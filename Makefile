# Two commands do all the set-up: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
# Superset has its own venv: its pins clash with Airflow's (docker/superset/requirements.txt).
SUPERSET_VENV := .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed

export AIRFLOW_HOME := $(CURDIR)/.airflow
export PYTHONDONTWRITEBYTECODE :=

.PHONY: help bench bench-rss run test test-fast prod-check venv db-start db-url stop airflow-ui summary checksum clean docs superset-bundle superset-venv browser superset-ui report audit-reports

help:
	@echo "make run        set up, start the warehouse, run the annual DAG on the sample, print a summary"
	@echo "make test       set up and run the whole test suite"
	@echo "make test-fast  the edit-run loop: unit and quick database tests (no Airflow, browser or slow ones)"
	@echo "make prod-check the production tests only: the compose file's Airflow services, LocalExecutor and Celery"
	@echo "make db-start   start the embedded PostgreSQL (make stop stops it)"
	@echo "make db-url     print a libpq URL of the warehouse"
	@echo "make checksum   print a checksum of every published mart"
	@echo "make airflow-ui start the Airflow UI on the same DAGs (http://127.0.0.1:8080)"
	@echo "make docs       dbt docs of the published marts + GX Data Docs in .state/docs/index.html"
	@echo "make superset-bundle  rewrite docker/superset/bundle/ from the dashboard specs and the marts' docs"
	@echo "make superset-ui      Superset on http://127.0.0.1:8188 with the starter dashboard, on the local marts"
	@echo "make report     write the province's report (HTML + DOCX) from the marts: UNIT=, INDEX=, YEAR=, OUT="
	@echo "make bench      the pipeline against plain COPY + SQL on a national-scale synthetic dataset: SCALE=1.0"
	@echo "make bench-rss  peak RSS of the ingest process on one 1 GB release file"
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
	@$(PY) -m ingest.cli docs
	@$(PY) -m ingest.cli summary
	@echo
	@$(PY) -m ingest.cli points-needed
	@echo
	@$(PY) -m ingest.cli unit-summary
	@$(PY) -m ingest.cli audit-report --brief $(REPORTS)
	@$(PY) -m ingest.cli report

SCALE ?= 1.0

# Ratios measured in one run (bench/run.py); not a test.
bench: venv
	@$(PY) bench/run.py --scale $(SCALE)

# Peak RSS of the ingest on one 1 GB file (a few minutes; not part of make bench).
bench-rss: venv
	@$(PY) bench/ingest_rss.py

summary: venv
	@$(PY) -m ingest.cli summary

checksum: venv
	@$(PY) -m ingest.cli checksum

test: venv superset-venv browser
	@$(PY) -m ingest.cli db-start
	@$(PY) -m pytest

# Under a minute: what an edit most likely breaks. `make test` still runs everything.
test-fast: venv
	@$(PY) -m ingest.cli db-start
	@$(PY) -m pytest -m "not slow and not airflow and not browser"

# The real Airflow services as docker/compose.yaml runs them (api-server, scheduler, dag-processor, triggerer on
# PostgreSQL metadata; then the celery profile with Redis and two workers): tests/test_production.py and
# tests/test_scale_out.py, also part of make test. About 8 minutes.
prod-check: venv
	@$(PY) -m ingest.cli db-start
	@$(PY) -m pytest -m production

docs: venv
	@$(PY) -m ingest.cli docs

superset-bundle: venv
	@$(PY) -m ingest.cli superset-bundle

# Fast no-op once installed; reinstalls when the lock changes.
superset-venv: $(SUPERSET_STAMP)

$(SUPERSET_STAMP): docker/superset/requirements.txt | $(STAMP)
	@test -x $(SUPERSET_VENV)/bin/python || $(PYTHON_BOOT) -m venv $(SUPERSET_VENV)
	@echo "superset: installing Apache Superset in $(SUPERSET_VENV) (docker/superset/requirements.txt)"
	@$(VENV)/bin/uv pip install --quiet --python $(SUPERSET_VENV)/bin/python --compile-bytecode -r docker/superset/requirements.txt
	@touch $(SUPERSET_STAMP)

# Debian's Chromium for the browser tests (docs, dashboard). A no-op when installed; as a normal user
# without it, the browser tests are skipped and say why.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "browser: installing Debian's chromium and chromium-driver (apt-get)"; \
		apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
		|| { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }; \
	else echo "browser: chromium is not installed and this is not root: browser tests will be skipped"; fi

superset-ui: venv superset-venv
	@$(PY) -m ingest.cli db-start
	@$(PY) -m ingest.cli superset-ui

airflow-ui: venv
	@$(PY) -m ingest.cli airflow-setup
	$(VENV)/bin/airflow standalone

# The province report (HTML + DOCX), read from the marts; the latest published year unless YEAR is given.
UNIT ?= Lai Châu
INDEX ?= PAR_INDEX
report: venv
	@$(PY) -m ingest.cli report --unit "$(UNIT)" --index $(INDEX) $(if $(YEAR),--year $(YEAR)) $(if $(OUT),--out $(OUT))

# The audit of published reports: every report folder with transcribed figures (scores.csv).
REPORTS := $(patsubst %/scores.csv,%,$(wildcard data/reports/*/scores.csv))
audit-reports: venv
	@$(PY) -m ingest.cli audit-report $(REPORTS)

clean:
	rm -rf .airflow .state dbt/target dbt/logs $(SUPERSET_VENV)
