"""Superset configuration: everything from the environment, nothing secret in the file.

SUPERSET_SECRET_KEY (required), SUPERSET_METADATA_URL (Superset's own metadata database; SQLite under
SUPERSET_HOME when empty). The warehouse connection is not here: service.py init imports it from
SUPERSET_WAREHOUSE_URL as the read-only role bi_reader.
"""
import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
_HOME = os.environ.get("SUPERSET_HOME", os.path.expanduser("~/.superset"))
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URL") or f"sqlite:///{_HOME}/superset.db"

# Chart results and filter values are cached in the process; no Redis in this deployment.
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 600}
DATA_CACHE_CONFIG = CACHE_CONFIG
FILTER_STATE_CACHE_CONFIG = CACHE_CONFIG
EXPLORE_FORM_DATA_CACHE_CONFIG = CACHE_CONFIG

ROW_LIMIT = 50000
# Analysts read the marts; nobody writes through Superset (the database role cannot either).
PREVENT_UNSAFE_DB_CONNECTIONS = True
BABEL_DEFAULT_LOCALE = "en"
SUPERSET_WEBSERVER_TIMEOUT = 120
