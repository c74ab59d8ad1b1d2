"""Mounts the Teams bot at /api/messages on the one FastAPI app, when ASSISTANT_TEAMS_APP_ID is set."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.fastapi import CloudAdapter
from starlette.concurrency import run_in_threadpool

from assistant.settings import Settings
from bots.teams.agent import TeamsAgent, language_of
from bots.teams.auth import TokenValidator, trusted_issuers
from bots.teams.cards import text
from bots.teams.tokens import BotConnections, BotTokenProvider

log = logging.getLogger("bots.teams")
ROUTE = "/api/messages"


def is_configured(settings: Settings) -> bool:
    """On with an app id and its secret; an app id alone is logged and left off rather than half-working."""
    if not settings.teams_app_id:
        return False
    if settings.teams_app_password is None or not settings.teams_app_password.get_secret_value():
        log.warning("ASSISTANT_TEAMS_APP_ID is set but ASSISTANT_TEAMS_APP_PASSWORD is not; Teams stays off")
        return False
    return True


def install(app: FastAPI) -> None:
    """Add POST /api/messages for the Bot Connector; adds nothing (404) when Teams is not configured."""
    settings: Settings = app.state.settings
    if not is_configured(settings):
        return
    assert settings.teams_app_id is not None
    connections = BotConnections(BotTokenProvider.from_settings(settings))
    agent = TeamsAgent(settings, app.state.assistant, connections)
    adapter = CloudAdapter(connection_manager=connections)
    adapter.on_turn_error = _turn_error(settings)
    validator = TokenValidator(settings.teams_app_id, trusted_issuers(settings))
    app.state.teams_agent = agent

    @app.post(ROUTE, tags=["teams"], status_code=202, response_class=Response)
    async def teams_messages(request: Request) -> Response:
        """Activities from Microsoft Teams via the Bot Connector. The bearer token is checked before anything else
        (401 when missing or invalid); replies go to the activity's serviceUrl with the bot's own token."""
        activity = await _activity_fields(request)
        request.state.claims_identity = await run_in_threadpool(
            validator.validate, request.headers.get("Authorization"), activity.get("serviceUrl"),
            activity.get("channelId"),
        )  # fmt: skip
        response = await adapter.process(request, agent.application)
        return response or Response(status_code=202)


async def _activity_fields(request: Request) -> dict[str, Any]:
    """serviceUrl and channelId for the token checks; a body that is not JSON is left to the SDK (400)."""
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _turn_error(settings: Settings) -> Any:
    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        log.error("teams turn failed outside the agent", exc_info=error)
        await context.send_activity(text(language_of(context.activity, settings.language), "internal"))

    return on_turn_error
