"""`assistant slack`: run the Slack bot over Socket Mode (no public URL needed)."""

from __future__ import annotations

import click

from assistant.cli import reports_errors
from assistant.settings import get_settings


@click.command("slack")
@reports_errors
def slack_command() -> None:
    """Answer Slack mentions, direct messages and the slash command over Socket Mode until stopped."""
    from assistant.core import build_assistant
    from bots.slack.socket_mode import require_socket_mode, socket_mode_handler

    settings = get_settings()
    require_socket_mode(settings)  # before loading the index and the database
    handler = socket_mode_handler(settings, build_assistant(settings))
    click.echo("Slack: ansluter via Socket Mode. Avsluta med Ctrl+C.")
    handler.start()
