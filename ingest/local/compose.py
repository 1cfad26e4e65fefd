"""docker/compose.yaml read the way docker compose reads it, so that what runs here is what the deployment runs.

`load(values)` substitutes variables as compose does (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$)
with `values` (an operator's .env); `dockerfile_env` reads the ENV lines of an image's Dockerfile. The production
tests start Airflow's services natively with the environment of the compose services (local/airflow_services.py),
changing only host names, ports, paths and secrets.
"""
from __future__ import annotations

import base64
import os
import re
import secrets
import shlex
from pathlib import Path

import yaml

from ingest.core import config

DOCKER_DIR = config.PROJECT_ROOT / "docker"
COMPOSE_FILE = DOCKER_DIR / "compose.yaml"
ENV_EXAMPLE = DOCKER_DIR / ".env.example"
AIRFLOW_DOCKERFILE = DOCKER_DIR / "airflow" / "Dockerfile"
VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY$")


def env_example() -> dict[str, str]:
    """docker/.env.example as written: every variable an operator sets, secrets empty."""
    env = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def new_secret(name: str) -> str:
    """A fresh value for a secret of .env.example (URL-safe; a Fernet key for AIRFLOW_FERNET_KEY)."""
    if "FERNET" in name:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    return secrets.token_hex(24)


def operator_env(**overrides: str) -> dict[str, str]:
    """.env.example filled in as an operator would: its values, and a new value for every empty secret."""
    env = env_example()
    for key, value in env.items():
        if not value and SECRET_NAME.search(key):
            env[key] = new_secret(key)
    env.update(overrides)
    return env


def interpolate(value, env: dict[str, str]):
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, kind, argument = match.groups()
        present = env.get(name) not in (None, "") if kind and kind.startswith(":") else name in env
        if present:
            return env[name]
        if kind and kind.endswith("?"):
            raise KeyError(f"{name}: {argument}")
        return argument if kind else ""

    return VARIABLE.sub(substitute, value)


def load(env: dict[str, str], path: Path = COMPOSE_FILE) -> dict:
    """The compose file with its variables substituted from `env` (YAML anchors and merge keys resolved)."""
    return interpolate(yaml.safe_load(path.read_text()), env)


def dockerfile_env(path: Path = AIRFLOW_DOCKERFILE) -> dict[str, str]:
    """The ENV settings of a Dockerfile (`ENV A=1 \\` continuation lines included)."""
    text = re.sub(r"\\\n", " ", path.read_text())
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for item in shlex.split(line[4:]):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def service_environment(doc: dict, service: str) -> dict[str, str]:
    """A service's environment as its container gets it: the image's ENV, then the compose file's."""
    env = dockerfile_env()
    env.update({key: str(value) for key, value in (doc["services"][service].get("environment") or {}).items()})
    return env
