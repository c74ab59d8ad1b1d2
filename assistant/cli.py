"""The `assistant` command. Commands are short: they parse options and call the core."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.errors import as_assistant_error
from assistant.settings import Settings, get_settings

F = TypeVar("F", bound=Callable[..., Any])
err_console = Console(stderr=True)

STAGE_LABELS = {
    "parse": "Läser sidor",
    "embed": "Bäddar in avsnitt",
    "units": "Bäddar in meningar",
    "index": "Bygger index",
}


def reports_errors(func: F) -> F:
    """The one place where errors become CLI messages and exit codes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as err:
            known = as_assistant_error(err)
            if known is None and isinstance(err, OSError):  # a full disk, a permission: the operator's to fix
                click.echo(f"error: {err.strerror or err}{f': {err.filename}' if err.filename else ''}", err=True)
                sys.exit(1)
            if known is None:
                raise
            # plain click output: file paths and line numbers must never be wrapped or styled away
            click.echo(f"error ({known.code.value}): {known.message}", err=True)
            for line in known.details:
                click.echo(f"  {line}", err=True)
            sys.exit(2 if known.code.value == "invalid_pages" else 1)

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback for long work, drawn on stderr so --json output stays clean."""
    if not enabled:
        yield lambda _stage, _done, _total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


class LazyGroup(click.Group):
    """Commands that live in other packages (evals) are imported only when used."""

    lazy = {"eval": "evals.cli:eval_command", "slack": "bots.slack.cli:slack_command"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
@click.version_option(package_name="vagledning-assistant")
def main() -> None:
    """Vägledningsassistenten: sök och fråga i myndighetens vägledningar."""


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Publish the valid pages and list the invalid ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@reports_errors
def ingest(directory: Path | None, skip_invalid: bool, as_json: bool) -> None:
    """Parse, chunk, embed and publish the knowledge folder as a new index version."""
    from ingest.pipeline import run_ingest
    from ingest.publish import IndexStore

    settings = get_settings()
    knowledge = directory or settings.knowledge_dir
    embedder = settings.embedder()
    with progress_bar(enabled=not as_json) as report:
        summary = run_ingest(knowledge, IndexStore(settings.index_dir), embedder, skip_invalid, progress=report)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"Publicerade version {summary.version}: {summary.pages} sidor, {summary.chunks} avsnittsdelar, "
        f"{summary.embedded} inbäddade, {summary.reused} återanvända, {summary.seconds:.1f} s."
    )
    for line in summary.warnings:
        click.echo(f"warning: {line}", err=True)
    if summary.skipped:
        click.echo(f"Hoppade över {len(summary.skipped)} problem:")
        for line in summary.skipped:
            click.echo(f"  {line}")


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--select", multiple=True, help="Only these codes or prefixes, e.g. LNK or LNK002 (repeatable, or a,b).")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes (repeatable, or a,b).")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Judge review dates as of this day.")
@click.option("--rules", "list_rules", is_flag=True, help="List every rule with its code and severity.")
@reports_errors
def lint(
    directory: Path | None,
    as_json: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    today: Any,
    list_rules: bool,
) -> None:
    """Check the knowledge pages without publishing: `file:line: CODE problem` and a fix for each.

    Exit codes: 0 no errors (warnings may be shown), 1 errors found (or warnings with --strict),
    2 the folder could not be read or an option is wrong."""
    from ingest.lint import REGISTRY, UnknownCode, lint_knowledge

    if list_rules:
        for rule in sorted(REGISTRY.rules.values(), key=lambda r: r.code):
            click.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.title}")
        return
    try:
        report = lint_knowledge(
            directory or get_settings().knowledge_dir, today.date() if today else None, select, ignore
        )
    except UnknownCode as err:
        raise click.UsageError(str(err)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for finding in report.findings:
            click.echo(f"{finding}\n    fix: {finding.fix}")
        click.echo(
            f"{report.pages} sidor: {report.errors} fel, {report.warnings} varningar.", err=bool(report.findings)
        )
    sys.exit(report.exit_code(strict))


@main.command()
@click.argument("query")
@click.option("-k", "--limit", default=5, show_default=True, help="How many hits.")
@click.option("--mode", type=click.Choice(["lexical", "dense", "hybrid"]), default="hybrid", show_default=True)
@click.option("--tag", "tags", multiple=True, help="Only pages with this tag (repeatable).")
@click.option("--doc-type", "doc_types", multiple=True, help="Only this doc_type (repeatable).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["published", "draft", "archived"]),
    help="Pages with this status (repeatable; default: published).",
)
@click.option("--include-expired", is_flag=True, help="Also pages past their valid_to date.")
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
@reports_errors
def search(
    query: str,
    limit: int,
    mode: str,
    tags: tuple[str, ...],
    doc_types: tuple[str, ...],
    statuses: tuple[str, ...],
    include_expired: bool,
    as_json: bool,
) -> None:
    """Search the published index; each hit names page, section, score and a snippet."""
    from assistant.core import build_assistant
    from assistant.retrieval import SearchFilters

    assistant = build_assistant(get_settings(), with_storage=False)
    filters = SearchFilters(tags, doc_types, statuses or ("published",), include_expired)
    hits = assistant.search(query, k=limit, mode=mode, filters=filters)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps([hit.__dict__ for hit in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("Inga träffar.")
    for n, hit in enumerate(hits, 1):
        where = f"{hit.page_id}#{hit.anchor}" if hit.anchor else hit.page_id
        click.echo(f"{n}. {hit.score:.3f}  {where}  ({hit.title}{' – ' + hit.heading if hit.heading else ''})")
        click.echo(f"   {hit.snippet}")


@main.command()
@click.argument("question")
@click.option("--conversation", "conversation_id", default=None, help="Continue this conversation id.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@reports_errors
def ask(question: str, conversation_id: str | None, as_json: bool) -> None:
    """Ask a question and get a short answer with cited sections (stored like any other exchange)."""
    from assistant.core import build_assistant

    assistant = build_assistant(get_settings())
    answer = assistant.answer(question, conversation_id=conversation_id, channel="cli")
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(answer.text)
    for n, citation in enumerate(answer.citations or answer.suggestions, 1):
        click.echo(f"  [{n}] {citation.title} – {citation.heading or 'översikt'}: {citation.url}")
    for note in answer.notes:
        click.echo(f"  ({note})")


@main.group()
def token() -> None:
    """API tokens for bots and integrations."""


@token.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["caseworker", "editor", "quality_lead", "admin"]),
    default="caseworker",
    show_default=True,
    help="What the token may do.",
)
@reports_errors
def token_create(name: str, role: str) -> None:
    """Create a token; it is shown once (only its hash is stored). Use it as 'Authorization: Bearer <token>'."""
    from assistant.auth import Role, create_api_token
    from assistant.db import Database

    database = Database(get_settings().database_url)
    database.migrate()
    click.echo(create_api_token(database, name, Role(role)))


@token.command("revoke")
@click.argument("name")
@reports_errors
def token_revoke(name: str) -> None:
    """Revoke every token with this name."""
    from assistant.auth import revoke_api_tokens
    from assistant.db import Database

    database = Database(get_settings().database_url)
    database.migrate()
    click.echo(f"{revoke_api_tokens(database, name)} token(s) revoked.")


@main.group()
def db() -> None:
    """The database: schema upgrades and backups (docs/operations.md)."""


@db.command("migrate")
@reports_errors
def db_migrate() -> None:
    """Bring the database schema up to this version's (the service and CLI also do this when they start)."""
    from assistant.db import Database

    database = Database(get_settings().database_url)
    database.migrate()
    click.echo(f"Databasen har schemaversion {database.schema_revision()}.")


@db.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
@reports_errors
def db_backup(destination: Path) -> None:
    """Copy an SQLite database to DESTINATION while the service runs (PostgreSQL: use pg_dump)."""
    from assistant.db import Database

    Database(get_settings().database_url).backup(destination)
    click.echo(f"Säkerhetskopia skriven till {destination}.")


@main.group()
def index() -> None:
    """List published index versions and roll back."""


@index.command("list")
@reports_errors
def index_list() -> None:
    """Show the versions kept, marking the one being served."""
    from ingest.publish import IndexStore

    store = IndexStore(get_settings().index_dir)
    current = store.current_version()
    for version in store.list_versions():
        mark = "*" if version == current else " "
        try:
            counts = store.manifest(version).get("counts", {})
        except (OSError, ValueError):  # a damaged version is listed as such, so it can be rolled away from
            click.echo(f"{mark} {version}  skadad: manifest.json kan inte läsas")
            continue
        click.echo(f"{mark} {version}  {counts.get('pages', '?')} sidor, {counts.get('chunks', '?')} delar")


@index.command("rollback")
@click.argument("version", required=False)
@reports_errors
def index_rollback(version: str | None) -> None:
    """Serve an earlier version (default: the one before the current)."""
    from ingest.publish import IndexStore

    chosen = IndexStore(get_settings().index_dir).rollback(version)
    click.echo(f"Serverar nu version {chosen}.")


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--once", is_flag=True, help="Publish once if the folder differs from the served index, then exit.")
@reports_errors
def watch(directory: Path | None, once: bool) -> None:
    """Re-index the knowledge folder whenever it changes: waits until writes settle, publishes atomically.

    An invalid change is reported and not published; the last good version keeps serving."""
    from ingest.publish import IndexStore
    from ingest.watch import KnowledgeWatcher, WatchResult

    settings = get_settings()

    def report(result: WatchResult) -> None:
        if result.ok:
            what = "Publicerade" if result.published else "Oförändrat, serverar"
            click.echo(f"{what} version {result.version} ({result.seconds:.1f} s).")
            return
        click.echo("Ändringen publicerades inte; den senaste fungerande versionen serveras:", err=True)
        for line in result.problems:
            click.echo(f"  {line}", err=True)

    watcher = KnowledgeWatcher(
        directory or settings.knowledge_dir,
        IndexStore(settings.index_dir),
        settings.embedder(),
        poll_seconds=settings.watch_poll_seconds,
        settle_seconds=settings.watch_settle_seconds,
        on_result=report,
    )
    if once:
        watcher.poll()
        return
    click.echo(f"Bevakar {watcher.root} (Ctrl+C avslutar).", err=True)
    try:
        watcher.run(publish_first=True)
    except KeyboardInterrupt:
        watcher.stop()


@main.command()
@click.option("--dry-run", is_flag=True, help="Print the digests instead of sending them.")
@click.option("--owner", default=None, help="Only this subscription (an owner unit or contact).")
@reports_errors
def digest(dry_run: bool, owner: str | None) -> None:
    """Send each subscribed owner the pages due for review, past it, or with open feedback.

    Subscriptions: ASSISTANT_DIGEST_SUBSCRIPTIONS. Run weekly, e.g. cron `0 7 * * 1 assistant digest`."""
    from assistant.core import build_assistant
    from assistant.upkeep.digest import DigestError, deliver, digests_for

    settings = get_settings()
    assistant = build_assistant(settings)
    digests = [
        d
        for d in digests_for(assistant.indexes.get(), assistant.database, settings)
        if not owner or owner in (d.owner, d.target)
    ]
    failed = 0
    for item in digests:
        if dry_run:
            body = item.text(settings.language, settings.base_url())
            click.echo(f"== {item.target}: {item.subject(settings.language)}\n{body}\n")
            continue
        try:
            deliver(item, settings)
            click.echo(f"Skickade till {item.target}: {len(item.pages)} sidor ({item.owner}).")
        except DigestError as err:
            failed += 1
            click.echo(f"Kunde inte skicka: {err}", err=True)
    if not digests:
        click.echo("Inga påminnelser att skicka.")
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: ASSISTANT_HOST).")
@click.option("--port", default=None, type=int, help="Port (default: ASSISTANT_PORT).")
@click.option("--workers", default=None, type=click.IntRange(1, 64), help="Worker processes (ASSISTANT_WORKERS).")
@reports_errors
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Start the web service: API, guidance pages, review and channels."""
    import os

    import uvicorn

    from assistant.api.app import create_app

    overrides: dict[str, Any] = {
        k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v is not None
    }
    settings = Settings(**overrides)
    # No access log: URLs carry search text, which may hold personal data. No proxy headers: the client
    # address must stay the proxy's, or proxy sign-in could not tell the trusted proxy from anyone else.
    options: dict[str, Any] = {"log_level": "info", "access_log": False, "proxy_headers": False}
    if settings.workers == 1:
        app = create_app(settings)
        _watch_while_serving(settings, app.state.assistant.embedder)  # the embedder loaded for questions
        uvicorn.run(app, host=settings.host, port=settings.port, **options)
        return
    _watch_while_serving(settings)  # one watcher in this process; every worker picks up what it publishes
    # Several workers share the listening socket; each is a fresh process that builds its app from the
    # environment, so the options given here are handed on the same way.
    for name, value in overrides.items():
        os.environ[f"ASSISTANT_{name.upper()}"] = str(value)
    uvicorn.run(
        "assistant.api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        **options,
    )


def _watch_while_serving(settings: Settings, embedder: Any = None) -> None:
    """With ASSISTANT_WATCH_KNOWLEDGE, re-index live in a background thread of the serving process."""
    if not settings.watch_knowledge:
        return
    from ingest.publish import IndexStore
    from ingest.watch import KnowledgeWatcher, start_watching

    watcher = KnowledgeWatcher(
        settings.knowledge_dir,
        IndexStore(settings.index_dir),
        embedder or settings.embedder(),
        poll_seconds=settings.watch_poll_seconds,
        settle_seconds=settings.watch_settle_seconds,
    )
    start_watching(watcher)
