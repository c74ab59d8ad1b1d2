"""The procedures in docs/operations.md, run as an operator runs them: backup and restore of SQLite (the
`assistant db backup` command, SQLite's online backup API) and of PostgreSQL (pg_dump and pg_restore against
the server the tests start), schema migration, and rolling the index back from a damaged version."""

from __future__ import annotations

import shutil
import subprocess
import time
from glob import glob
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.cli import main
from assistant.settings import Settings
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

BEFORE, AFTER = "Vem prövar jäv före säkerhetskopian?", "Vem prövar jäv efter säkerhetskopian?"


def cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hash-demo")
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def questions(client: TestClient) -> set[str]:
    items = client.get("/api/review/items").json()["items"]
    return {i["question"] for i in items}


def rated(client: TestClient, question: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert client.post(f"/api/answers/{answer['answer_id']}/feedback", json={"rating": "down"}).status_code == 201


def test_sqlite_backup_while_serving_and_restore(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, published: IndexStore, tmp_path: Path
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the SQLite procedure")
    lead = TestClient(create_app(settings.model_copy(update={"dev_role": "quality_lead"})))
    rated(lead, BEFORE)  # in the write-ahead log, not yet in the .db file: a plain cp would miss it
    backup = tmp_path / "backup" / "assistant.db"
    code, output = cli(monkeypatch, settings, "db", "backup", str(backup))  # the service keeps running
    assert code == 0, output
    rated(lead, AFTER)
    assert questions(lead) == {BEFORE, AFTER}
    lead.app.state.assistant.database.engine.dispose()  # type: ignore[attr-defined]  # "systemctl stop"

    database = Path(settings.database_url.removeprefix("sqlite:///"))
    for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(backup, database)
    restored = TestClient(create_app(settings.model_copy(update={"dev_role": "quality_lead"})))
    assert questions(restored) == {BEFORE}
    assert restored.get("/readyz").json()["status"] == "ready"
    assert not list(backup.parent.glob("*.partial"))


@pytest.mark.postgres
def test_postgres_pg_dump_and_pg_restore_into_a_new_database(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, published: IndexStore, tmp_path: Path
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL procedure")
    import psycopg

    bindir = Path(sorted(glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1]).parent
    lead = TestClient(create_app(settings.model_copy(update={"dev_role": "quality_lead"})))
    rated(lead, BEFORE)
    code, output = cli(monkeypatch, settings, "db", "backup", str(tmp_path / "x.db"))
    assert code == 1 and "pg_dump" in output and "Traceback" not in output  # refused, with what to use instead

    url = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    dump = tmp_path / "assistant.dump"
    subprocess.run([str(bindir / "pg_dump"), "--format=custom", f"--file={dump}", url], check=True, timeout=60)
    rated(lead, AFTER)

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}_restored"')
    restored_url = f"{server}/{name}_restored"
    subprocess.run(
        [str(bindir / "pg_restore"), "--no-owner", f"--dbname={restored_url}", str(dump)], check=True, timeout=60
    )
    restored_settings = settings.model_copy(
        update={"database_url": f"{settings.database_url}_restored", "dev_role": "quality_lead"}
    )
    restored = TestClient(create_app(restored_settings))
    assert questions(restored) == {BEFORE}
    assert questions(lead) == {BEFORE, AFTER}  # the original is untouched until the URL is switched
    assert restored.get("/readyz").json()["status"] == "ready"


def test_db_migrate_prints_the_schema_version(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    code, output = cli(monkeypatch, settings, "db", "migrate")
    assert code == 0, output
    revision = output.strip().rsplit(" ", 1)[1].rstrip(".")
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent.parent / "assistant" / "migrations"))
    assert revision == ScriptDirectory.from_config(config).get_current_head()


def test_index_rollback_from_a_damaged_version(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, knowledge_dir: Path, index_dir: Path
) -> None:
    store = IndexStore(index_dir)
    good = run_ingest(knowledge_dir, store, load_embedder("hash-demo")).version
    client = TestClient(create_app(settings))
    assert client.post("/api/ask", json={"question": "Vem prövar jäv?"}).json()["index_version"] == good
    time.sleep(1.1)  # versions are named by the second
    damaged = run_ingest(knowledge_dir, store, load_embedder("hash-demo")).version
    (index_dir / "versions" / damaged / "manifest.json").write_text("{")  # a bad copy, a full disk
    client.app.state.assistant.indexes.refresh()  # type: ignore[attr-defined]
    assert client.get("/readyz").json()["status"] == "degraded"

    code, output = cli(monkeypatch, settings, "index", "list")
    assert code == 0 and f"* {damaged}  skadad" in output and good in output, output
    code, output = cli(monkeypatch, settings, "index", "rollback")
    assert code == 0 and good in output, output
    client.app.state.assistant.indexes.refresh()  # type: ignore[attr-defined]
    assert client.get("/readyz").json()["status"] == "ready"
    assert client.post("/api/ask", json={"question": "Vem prövar jäv?"}).json()["index_version"] == good
