"""Socket Mode: for agencies without inbound HTTP, the bot opens a WebSocket to Slack instead."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from assistant.core import Assistant
from assistant.errors import AssistantError, ErrorCode
from assistant.settings import Settings
from bots.slack.app import build_slack_app, secret


def require_socket_mode(settings: Settings) -> str:
    """The app-level token, or CHANNEL_OFF naming what is missing (Bolt would fall back to SLACK_APP_TOKEN)."""
    missing = [
        f"ASSISTANT_{name.upper()}"
        for name in ("slack_bot_token", "slack_app_token")
        if secret(getattr(settings, name)) is None
    ]
    if missing:
        raise AssistantError(ErrorCode.CHANNEL_OFF, f"Slack Socket Mode needs {' and '.join(missing)}")
    return secret(settings.slack_app_token) or ""


def socket_mode_handler(settings: Settings, assistant: Assistant) -> SocketModeHandler:
    """A handler ready to connect(); apps.connections.open goes to settings.slack_api_url like every call."""
    app_token = require_socket_mode(settings)
    app = build_slack_app(settings, assistant, socket_mode=True)
    return SocketModeHandler(app, app_token=app_token)
