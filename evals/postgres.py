"""A throw-away PostgreSQL server (Debian's), for the tests and `make bench`.

Started in a temporary folder as the 'postgres' user when run as root (PostgreSQL refuses to run as
root), listening on a Unix socket and a free loopback port, and stopped when the block ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextmanager
def temporary_postgres(durable: bool = False) -> Iterator[str]:
    """A running server; yields a URL template with {db} for the database name. Not durable (fsync off)
    unless asked: tests need speed, a benchmark of writes needs what a real server does."""
    binaries = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise PostgresMissing("PostgreSQL server not installed: run 'make system-deps' (Debian package postgresql)")
    bindir = Path(binaries[-1]).parent
    # Not under a private (0700) temporary folder: the server runs as 'postgres'.
    base = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        base.chmod(0o755)
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run(_as_postgres_user([*initdb, "--locale=C.UTF-8"]), check=True, capture_output=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_postgres_user(
            [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{{db}}"
    finally:
        subprocess.run(
            _as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def create_database(server_url: str) -> str:
    """A new empty database on the server; returns its SQLAlchemy URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = server_url.format(db="postgres").replace("postgresql+psycopg://", "postgresql://")
    for _ in range(50):
        try:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            time.sleep(0.1)
    return server_url.format(db=name)
