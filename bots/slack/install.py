"""HTTP mode: Slack's events, slash command and interactivity arrive signed at POST /slack/events."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from assistant.errors import AssistantError, ErrorCode
from bots.slack.app import build_slack_app, http_mode_configured

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # seconds since 1970, ASCII digits only (int() takes any script's)


def install(app: FastAPI) -> None:
    """Add /slack/events when the bot token and signing secret are set; otherwise the channel is off."""
    settings = app.state.settings
    if not http_mode_configured(settings):
        return
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack")
    bolt = build_slack_app(settings, app.state.assistant, executor=executor)
    # Slack is acknowledged before the answer is posted and does not send the event again, so a server
    # that stops finishes the answers under way instead of dropping them.
    app.router.add_event_handler("shutdown", lambda: executor.shutdown(wait=True))

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Events API, slash command and interactivity requests from Slack; Bolt verifies the signature."""
        if not _TIMESTAMP.fullmatch(request.headers.get("x-slack-request-timestamp", "")):
            raise AssistantError(ErrorCode.UNAUTHENTICATED, "missing or malformed X-Slack-Request-Timestamp")
        body = await request.body()
        bolt_response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)
