"""Shared fixtures: a small knowledge folder, a published index, the app on SQLite and on a real PostgreSQL.

The PostgreSQL server is Debian's, started here in a temporary folder as a non-root user (PostgreSQL
refuses to run as root), listening on a Unix socket and a free loopback port, and stopped at the end.
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
from glob import glob
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.settings import Settings, get_settings
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", target)
    return target


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def published(knowledge_dir: Path, index_dir: Path) -> IndexStore:
    """The fixture knowledge ingested with the deterministic hash-demo embedder."""
    store = IndexStore(index_dir)
    run_ingest(knowledge_dir, store, load_embedder("hash-demo"))
    return store


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for this test session; yields a URL template with {db} for the database."""
    binaries = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.fail("PostgreSQL server not installed: run 'make system-deps' (Debian package postgresql)")
    bindir = Path(binaries[-1]).parent
    # Not under pytest's tmp folder: that is private to root (0700), and the server runs as 'postgres'.
    base = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        base.chmod(0o755)
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
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


def _create_database(server_url: str) -> str:
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs twice: on an SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assistant.db'}"
    return _create_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def settings(knowledge_dir: Path, index_dir: Path, database_url: str) -> Settings:
    return Settings(
        knowledge_dir=knowledge_dir,
        index_dir=index_dir,
        database_url=database_url,
        embedding_model="hash-demo",
        # The default confidence model was fitted for the real model over knowledge/; on this five-page index
        # with hash-demo its scores sit far lower (answerable questions 0.05-0.7, off-topic ones below 0.01).
        answer_threshold=0.02,
        environment="development",
        auth_mode="dev",
        dev_role="caseworker",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def client(settings: Settings, published: IndexStore) -> Iterator[TestClient]:
    """The real app on the fixture index, signed in as a caseworker through dev mode."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one per test module (starting it takes a second)."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def make_client(settings: Settings, **overrides: object) -> TestClient:
    """Another app over the same index and database, with some settings changed (e.g. a role)."""
    return TestClient(create_app(settings.model_copy(update=overrides)))
