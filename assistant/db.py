"""Storage: SQLAlchemy models and the engine. SQLite by default; PostgreSQL through ASSISTANT_DATABASE_URL.

The schema is owned by Alembic migrations (assistant/migrations); `migrate()` brings any database to head.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, String, Text, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from assistant.metrics import STORAGE_ERRORS

log = logging.getLogger("assistant.db")


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    channel_ref: Mapped[str | None] = mapped_column(String(300), index=True)  # Slack thread, Teams conversation
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    exchanges: Mapped[list[Exchange]] = relationship(back_populates="conversation", order_by="Exchange.created_at")


class Exchange(Base):
    """One question and the answer given, with everything needed to review it later."""

    __tablename__ = "exchanges"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(Text)  # redacted
    search_text: Mapped[str] = mapped_column(Text)  # what was searched (with follow-up context)
    redactions: Mapped[list[Any]] = mapped_column(default=list)
    answered: Mapped[bool] = mapped_column(Boolean, index=True)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    citations: Mapped[list[Any]] = mapped_column(default=list)
    suggestions: Mapped[list[Any]] = mapped_column(default=list)
    hits: Mapped[list[Any]] = mapped_column(default=list)  # page, section and scores of what retrieval returned
    generator: Mapped[str] = mapped_column(String(40), default="extractive")
    index_version: Mapped[str] = mapped_column(String(40))
    latency_ms: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(5), default="sv")
    conversation: Mapped[Conversation] = relationship(back_populates="exchanges")


class Feedback(Base):
    """A rating of one answer, from any channel: one per user and answer (a new one replaces the old)."""

    __tablename__ = "feedback"
    __table_args__ = (Index("uq_feedback_exchange_user", "exchange_id", "user_id", unique=True),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("exchanges.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    rating: Mapped[str] = mapped_column(String(4))  # up | down
    reason: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(200), index=True)


class ProcessedEvent(Base):
    """Platform event ids already handled, so a retried delivery never produces a second answer."""

    __tablename__ = "processed_events"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """Scoped tokens for bots and integrations; only a hash is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Database:
    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQLAlchemy puts the bound values (question text, user ids) into str(error), and
        # errors end up in logs. The SQL alone is enough to debug; the values are personal data.
        self.engine: Engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        event.listen(self.engine, "before_cursor_execute", _refuse_nul)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_flush", _note_write)
        self.write_failure: str | None = None  # why the last write failed, until one succeeds again

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back (and re-raised) on error.

        A storage failure while writing is remembered (readiness reports it) until a write succeeds again."""
        session = self._sessions()
        try:
            yield session
            session.commit()
            if session.info.get("wrote"):
                self.write_failure = None
        except Exception as err:
            session.rollback()
            if isinstance(err, SQLAlchemyError):
                problem = storage_problem(err)
                STORAGE_ERRORS.labels(problem=problem).inc()
                log.warning("storage error", extra={"problem": problem, "error": type(err).__name__})
                if problem != "unreachable":  # readiness checks reachability itself
                    self.write_failure = problem
            raise
        finally:
            session.close()

    def backup(self, destination: Path) -> None:
        """A consistent copy of an SQLite database, taken with SQLite's online backup API while the service
        keeps reading and writing. PostgreSQL is backed up with its own tools (pg_dump)."""
        from assistant.errors import AssistantError, ErrorCode  # errors translates this module's exceptions

        if self.engine.dialect.name != "sqlite":
            raise AssistantError(
                ErrorCode.INVALID_INPUT,
                "this database is PostgreSQL: back it up with pg_dump -Fc (see docs/operations.md)",
            )
        import sqlite3

        source_path = self.engine.url.database
        if not source_path or source_path == ":memory:":
            raise AssistantError(ErrorCode.INVALID_INPUT, "an in-memory database cannot be backed up")
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        source, target = sqlite3.connect(source_path), sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        partial.replace(destination)  # never a half-written backup under the final name

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            try:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except SQLAlchemyError:
                return None

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        config.attributes["connection_url"] = self.url
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _note_write(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


class NulInValue(Exception):
    """A value holds a NUL character (U+0000): PostgreSQL cannot store one, so neither database gets it."""


def _refuse_nul(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool) -> None:
    """The last line of defence (the API refuses NUL in its inputs first): a value from anywhere else, such
    as a user id from a sign-in header or token, never reaches PostgreSQL as a 500 or SQLite as a stored NUL."""
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise NulInValue("a value contains a NUL character (U+0000)")


def storage_problem(err: SQLAlchemyError) -> str:
    """What went wrong with the database, in one word an operator and a message can use."""
    original = err.orig if isinstance(err, DBAPIError) else None
    text = str(original or err).lower()
    if "locked" in text or "busy" in text or "could not obtain lock" in text or "deadlock" in text:
        return "busy"
    if "disk is full" in text or "no space left" in text or "disk full" in text or "database or disk" in text:
        return "full"
    if "readonly" in text or "read-only" in text:
        return "read-only"
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return "unreachable"
    if "connect" in text or "connection" in text or "server closed" in text or "accepting connections" in text:
        return "unreachable"
    return "failed"
