"""Redis for the CeleryExecutor on this machine: Debian's redis-server, started by the project like PostgreSQL.

Installed with apt-get when missing (as root), started in the foreground on a free port of 127.0.0.1 with the
arguments of the compose file's `redis` service (password, no persistence), as the `redis` user when run as
root and the package made that user. Stopped with the deployment it serves.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ingest.core.log import log

SERVER_USER = "redis"


def binary() -> str:
    """Path of redis-server; installs Debian's package when run as root and missing."""
    found = shutil.which("redis-server") or (Path("/usr/bin/redis-server").exists() and "/usr/bin/redis-server")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("redis", "installing Redis (apt-get install redis-server)")
        command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "redis-server"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL, check=True)
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
        found = shutil.which("redis-server") or "/usr/bin/redis-server"
        if Path(found).exists():
            return found
    raise RuntimeError("Redis is not installed: install Debian's package (sudo apt-get install redis-server)")


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        import pwd
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        return []
    return ["runuser", "-u", SERVER_USER, "--"]


class RedisServer:
    """One redis-server process: `arguments` (from the compose service's command) plus port, address and folder."""

    def __init__(self, folder: Path, port: int, arguments: list[str], password: str):
        self.folder, self.port, self.arguments, self.password = folder, port, arguments, password
        self.proc: subprocess.Popen | None = None
        self.workdir: Path | None = None

    def start(self, timeout: float = 30) -> None:
        started = time.monotonic()
        self.folder.mkdir(parents=True, exist_ok=True)
        runner = _as_server_user()
        # Its working folder (nothing is persisted): one the server's user can reach, whatever `folder` is.
        self.workdir = Path(tempfile.mkdtemp(prefix="govwh-redis-"))
        if runner:
            shutil.chown(self.workdir, SERVER_USER, SERVER_USER)
        log_file = (self.folder / "redis.log").open("w")
        self.proc = subprocess.Popen(
            [*runner, binary(), *self.arguments, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        log_file.close()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server stopped at start-up:\n{(self.folder / 'redis.log').read_text()[-2000:]}")
            if self.ping():
                log("redis", f"Redis running on 127.0.0.1:{self.port} ({time.monotonic() - started:.1f}s)")
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {timeout:.0f}s")

    def ping(self) -> bool:
        """AUTH and PING in Redis's protocol: True when the server answers PONG with this password."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                password = self.password.encode()
                conn.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(password), password))
                reply = b""
                while b"PONG" not in reply and b"-" not in reply and len(reply) < 200:
                    chunk = conn.recv(200)
                    if not chunk:
                        break
                    reply += chunk
                return b"+OK" in reply and b"PONG" in reply
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
            log("redis", "stopped")
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
