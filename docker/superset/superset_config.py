"""Superset configuration: everything from the environment, nothing secret in the file.

SUPERSET_SECRET_KEY (required), SUPERSET_METADATA_URL (Superset's own metadata database; SQLite under
SUPERSET_HOME when empty). The warehouse connection is not here: service.py init imports it from
SUPERSET_WAREHOUSE_URL as the read-only role bi_reader.
"""
import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
_HOME = os.environ.get("SUPERSET_HOME", os.path.expanduser("~/.superset"))
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URL") or f"sqlite:///{_HOME}/superset.db"

# Superset runs several gunicorn workers (SUPERSET_WORKERS): a cache in one process's memory is not seen by the
# others (a dashboard's filter state saved by one worker would be missing on the next request). Every cache lives
# in Superset's metadata database instead, shared by all workers and restarts; no extra service. With Redis at
# hand (the compose celery profile), CACHE_TYPE "RedisCache" with CACHE_REDIS_URL would do the same.
def _shared_cache(prefix: str, timeout: int) -> dict:
    return {"CACHE_TYPE": "SupersetMetastoreCache", "CACHE_KEY_PREFIX": prefix, "CACHE_DEFAULT_TIMEOUT": timeout}


CACHE_CONFIG = _shared_cache("superset_metadata_", 600)
DATA_CACHE_CONFIG = _shared_cache("superset_data_", 600)
FILTER_STATE_CACHE_CONFIG = _shared_cache("superset_filter_state_", 86400)
EXPLORE_FORM_DATA_CACHE_CONFIG = _shared_cache("superset_explore_", 86400)

ROW_LIMIT = 50000
# Analysts read the marts; nobody writes through Superset (the database role cannot either).
PREVENT_UNSAFE_DB_CONNECTIONS = True
BABEL_DEFAULT_LOCALE = "en"
SUPERSET_WEBSERVER_TIMEOUT = 120
