"""Migrations: one head, and each data-changing migration tested on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from assistant.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "assistant" / "migrations"


def config_for(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(database: Database, revision: str) -> None:
    config = config_for(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(config_for(Database("sqlite:///:memory:"))).get_heads()
    assert len(heads) == 1, f"more than one Alembic head: {heads}; re-chain the newest migration"


def test_one_rating_migration_keeps_the_newest_rating_per_user(database_url: str) -> None:
    database = Database(database_url)
    upgrade(database, "0003")
    with database.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO conversations (id, channel, created_at) VALUES ('c1', 'api', '2026-01-01 10:00:00+00')")
        )
        connection.execute(
            text(
                "INSERT INTO exchanges (id, conversation_id, created_at, channel, user_id, question, search_text,"
                " redactions, answered, text, confidence, citations, suggestions, hits, generator, index_version,"
                " latency_ms, language) VALUES ('e1', 'c1', '2026-01-01 10:00:00+00', 'api', 'anna', 'q', 'q', '[]',"
                " true, 'a', 0.5, '[]', '[]', '[]', 'extractive', 'v1', 1.0, 'sv')"
            )
        )
        for row_id, minute, rating, user in (("f1", 1, "up", "anna"), ("f2", 2, "down", "anna"), ("f3", 3, "up", None)):
            connection.execute(
                text(
                    "INSERT INTO feedback (id, exchange_id, created_at, rating, channel, user_id)"
                    " VALUES (:id, 'e1', :at, :rating, 'api', :user)"
                ),
                {"id": row_id, "at": f"2026-01-01 10:0{minute}:00+00", "rating": rating, "user": user},
            )
    database.migrate()
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, rating FROM feedback ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("f2", "down"), ("f3", "up")]
