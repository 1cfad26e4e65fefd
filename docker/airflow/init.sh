#!/usr/bin/env bash
# One-shot initialisation of the deployment (service airflow-init), safe to run again on every start:
# Airflow's metadata database, the warehouse bootstrap as the pipeline role (schemas, audit tables; the database
# and the roles were made by the warehouse-db service's init script) and the Airflow admin's password
# (SimpleAuthManager's file).
set -euo pipefail

airflow db migrate
python -m ingest.cli db-start        # WAREHOUSE_URL is set: bootstraps that server as `pipeline`, starts nothing

python - <<'PY'
import json
import os
from pathlib import Path

path = Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps({os.environ.get("AIRFLOW_ADMIN_USER", "admin"): os.environ["AIRFLOW_ADMIN_PASSWORD"]}))
path.chmod(0o600)
print(f"airflow-init: admin password set in {path}")
PY
