"""Shared fixtures: a small knowledge folder, a published index, the app on SQLite and on a real PostgreSQL.

The PostgreSQL server is Debian's, started here in a temporary folder as a non-root user (PostgreSQL
refuses to run as root), listening on a Unix socket and a free loopback port, and stopped at the end.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.settings import Settings, get_settings
from evals.postgres import PostgresMissing, create_database, temporary_postgres
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Outside `make run` the service defaults to production, which refuses dev sign-in when an app is built.
# The tests sign in through dev mode on TestClient, so they run as development unless a test says otherwise.
os.environ["ASSISTANT_ENVIRONMENT"] = "development"


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


@pytest.fixture(scope="session")
def e5_store(tmp_path_factory: pytest.TempPathFactory) -> IndexStore:
    """knowledge/ ingested with the real default model (multilingual-e5-small), once per session: the slow
    answer tests and the eval floors share it (the eval reuses its embeddings)."""
    store = IndexStore(tmp_path_factory.mktemp("e5") / "index")
    run_ingest(Path(__file__).resolve().parent.parent / "knowledge", store, load_embedder("multilingual-e5-small"))
    return store


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- PostgreSQL ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for this test session; yields a URL template with {db} for the database."""
    try:
        with temporary_postgres() as url:
            yield url
    except PostgresMissing as err:
        pytest.fail(str(err))


_create_database = create_database


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
