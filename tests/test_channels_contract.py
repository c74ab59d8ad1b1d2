"""The same questions through every channel get the same answer and citations.

Each channel is driven through its real protocol: the JSON API (as integrations and the start page use
it), the widget's call, a signed Slack event, and a Teams activity with a locally signed token. What each
channel stored is compared, and each platform message must carry every citation as a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from slack_api_server import SlackApiServer
from sqlalchemy import select
from teams_connector import BotServices
from test_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, mention, post_event
from test_teams import APP_ID, SECRET, message, post

from assistant.api.app import create_app
from assistant.db import Database, Exchange
from assistant.settings import Settings
from ingest.publish import IndexStore

QUESTIONS = [
    "Hur lång tid har sökanden på sig att komplettera?",
    "Vem prövar jäv?",
    "Vilken lunchrestaurang har bäst pizza?",
]
BASE = "http://assistent.nrv.example.se"


@pytest.fixture
def everywhere(settings: Settings, published: IndexStore) -> Iterator[tuple[TestClient, SlackApiServer, BotServices]]:
    slack = SlackApiServer(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    with BotServices.running(APP_ID, SECRET) as teams:
        configured = settings.model_copy(
            update={
                "public_base_url": BASE,
                "slack_bot_token": SecretStr(BOT_TOKEN),
                "slack_signing_secret": SecretStr(SIGNING_SECRET),
                "slack_api_url": slack.api_url,
                "teams_app_id": APP_ID,
                "teams_app_password": SecretStr(SECRET),
                "teams_openid_url": teams.openid_url,
                "teams_token_url": teams.token_url,
            }
        )
        with TestClient(create_app(configured)) as client:
            yield client, slack, teams
    slack.stop()


def stored(settings: Settings, channel: str) -> list[Exchange]:
    with Database(settings.database_url).session() as session:
        rows = session.scalars(select(Exchange).where(Exchange.channel == channel).order_by(Exchange.created_at))
        return list(rows)


def essence(exchange: Exchange) -> tuple[bool, str, list[tuple[str, str]]]:
    citations = [(c["page_id"], c["section"]) for c in exchange.citations]
    return exchange.answered, exchange.text, citations


def test_every_channel_gives_the_same_answer_and_citations(
    everywhere: tuple[TestClient, SlackApiServer, BotServices], settings: Settings
) -> None:
    client, slack, teams = everywhere
    messages: dict[str, list[str]] = {"slack": [], "teams": []}
    for n, question in enumerate(QUESTIONS):
        for channel in ("api", "widget"):
            assert client.post("/api/ask", json={"question": question, "channel": channel}).status_code == 200
        assert post_event(client, mention(question, ts=f"17600001{n}.000100"), event_id=f"EvC{n}").status_code == 200
        messages["slack"].append(str(slack.wait_for("chat.postMessage", count=n + 1)[-1].params))
        activity = message(teams, question, conversation=f"a:contract-{n}")
        assert post(client, teams, activity).status_code == 202
        messages["teams"].append(str(teams.replies_to(f"a:contract-{n}")[-1].activity))

    reference = [essence(e) for e in stored(settings, "api")]
    assert len(reference) == len(QUESTIONS)
    assert [answered for answered, _, _ in reference] == [True, True, False]
    for channel in ("widget", "slack", "teams"):
        assert [essence(e) for e in stored(settings, channel)] == reference, f"{channel} differs from the API"

    for channel, bodies in messages.items():
        for (answered, _, citations), body in zip(reference, bodies, strict=True):
            for page_id, section in citations:
                url = f"{BASE}/pages/{page_id}" + (f"#{section}" if section else "")
                assert url in body, f"{channel} message lacks the citation link {url}"
            if not answered:
                assert re.search(r"(säkert svar|osäker|närmast)", body, re.I), f"{channel} hides that it is unsure"
