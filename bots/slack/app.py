"""Build the Bolt app from settings. The same app serves HTTP mode and Socket Mode; only its checks differ."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient

from assistant.core import Assistant
from assistant.settings import Settings
from bots.slack.handlers import SlackListeners


def secret(value: SecretStr | None) -> str | None:
    """A secret setting's value, or None when it is unset or blank."""
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None


def http_mode_configured(settings: Settings) -> bool:
    """HTTP mode needs the bot token (to answer) and the signing secret (to trust what arrives)."""
    return bool(secret(settings.slack_bot_token) and secret(settings.slack_signing_secret))


def build_slack_app(
    settings: Settings, assistant: Assistant, *, socket_mode: bool = False, executor: Executor | None = None
) -> App:
    """A Bolt app whose Web API calls go to settings.slack_api_url.

    Listeners run after the acknowledgement (process_before_response=False), so Slack gets its answer
    within 3 seconds however long the core takes. The token is checked with auth.test on the first
    request rather than here, so an unreachable Slack never stops the server from starting.
    """
    client = WebClient(token=secret(settings.slack_bot_token), base_url=settings.slack_api_url)
    app = App(
        name="vagledning",
        client=client,
        signing_secret=None if socket_mode else secret(settings.slack_signing_secret),
        request_verification_enabled=not socket_mode,  # Socket Mode is authenticated by the app token
        token_verification_enabled=False,
        process_before_response=False,
        listener_executor=executor,
        logger=logging.getLogger("assistant.slack"),
    )
    SlackListeners(
        assistant=assistant,
        base_url=settings.base_url(),
        language=settings.language,
        command="/" + settings.slack_command.strip().lstrip("/"),  # "fraga" and "/fraga" both work
    ).register(app)
    return app
