"""The Teams bot through its real protocol: activities POSTed to /api/messages on the real app.

Tokens are signed with a locally generated RSA key whose keys are published by a local OpenID metadata server
(ASSISTANT_TEAMS_OPENID_URL), and the bot's replies are captured by a local Bot Connector at the activity's
serviceUrl. The one mock is Entra's token service (it cannot run here): a local token endpoint
(ASSISTANT_TEAMS_TOKEN_URL) that checks the app id, secret and scope and issues the token the connector accepts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from teams_connector import BotServices, Reply

from assistant.api.app import create_app
from assistant.compose import Citation
from assistant.core import Answer
from assistant.db import Exchange, Feedback
from assistant.feedback import REASONS
from assistant.settings import Settings, get_settings
from bots.teams import answer_to_card
from bots.teams.icons import png_size
from bots.teams.package import main as build_package_command
from ingest.publish import IndexStore

APP_ID = "5f1c2b1e-0000-4000-8000-00000000b07a"
SECRET = "local-test-secret"
BOT = {"id": f"28:{APP_ID}", "name": "Vägledning"}
USER = {"id": "29:user-1", "name": "Handläggare", "aadObjectId": "aad-user-1"}
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def services() -> Iterator[BotServices]:
    with BotServices.running(APP_ID, SECRET) as running:
        yield running


def teams_settings(settings: Settings, services: BotServices, secret: str = SECRET) -> Settings:
    """Teams on, its OpenID metadata and token endpoint pointed at the local services."""
    return settings.model_copy(
        update={
            "teams_app_id": APP_ID,
            "teams_app_password": SecretStr(secret),
            "teams_openid_url": services.openid_url,
            "teams_token_url": services.token_url,
        }
    )


@pytest.fixture
def teams(settings: Settings, published: IndexStore, services: BotServices) -> Iterator[TestClient]:
    """The real app with Teams on, over the fixture index."""
    with TestClient(create_app(teams_settings(settings, services))) as client:
        yield client


def message(
    services: BotServices,
    text: str | None,
    conversation: str = "a:personal-chat-1",
    kind: str = "personal",
    value: dict[str, Any] | None = None,
    mention: bool = False,
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"1700{uuid.uuid4().int % 10**9:09d}",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": services.service_url,
        "from": USER,
        "recipient": BOT,
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": "tenant-1"},
        "locale": "sv-SE",
    }
    if text is not None:
        activity["text"] = f"<at>{BOT['name']}</at> {text}" if mention else text
    if mention:
        activity["entities"] = [{"type": "mention", "mentioned": BOT, "text": f"<at>{BOT['name']}</at>"}]
    if value is not None:
        activity["value"] = value
    return activity


def post(client: TestClient, services: BotServices, activity: dict[str, Any], token: str | None = "valid") -> Any:
    headers = (
        {} if token is None else {"Authorization": f"Bearer {services.channel_token() if token == 'valid' else token}"}
    )
    return client.post("/api/messages", json=activity, headers=headers)


def ask(client: TestClient, services: BotServices, text: str, **kwargs: Any) -> Reply:
    activity = message(services, text, **kwargs)
    assert post(client, services, activity).status_code == 202
    replies = services.replies_to(activity["conversation"]["id"])
    assert replies, "the bot posted nothing to the connector"
    return replies[-1]


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's text, in order, including those inside containers."""
    found: list[str] = []
    for element in card.get("body", []):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        found.extend(texts({"body": element.get("items", [])}))
    return found


def links(card: dict[str, Any]) -> list[str]:
    return [url for block in texts(card) for url in re.findall(r"\]\((http[^)]+)\)", block)]


def cited(card: dict[str, Any]) -> list[str]:
    """The source links (not the 'closest pages' suggestions of an abstention)."""
    blocks = [b["text"] for b in card["body"] if str(b.get("id", "")).startswith("citation-")]
    return [url for block in blocks for url in re.findall(r"\]\((http[^)]+)\)", block)]


def feedback_rows(client: TestClient) -> list[Feedback]:
    with client.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(Feedback)))


def test_teams_personal_question_gets_card_with_section_links_and_feedback(
    teams: TestClient, services: BotServices
) -> None:
    activity = message(services, "När avvisas ansökan?")
    assert post(teams, services, activity).status_code == 202

    [reply] = services.replies_to("a:personal-chat-1")
    assert reply.authorization == f"Bearer {services.issued_token}"  # the bot's own token, from the token endpoint
    assert reply.reply_to_id == activity["id"]
    card = reply.card
    assert card is not None and card["type"] == "AdaptiveCard"
    assert "Ansökan avvisas när uppgifterna saknas helt" in texts(card)[0]
    assert "Källor" in texts(card)
    assert f"{BASE}/pages/komplettering#avvisning" in cited(card)
    for url in links(card):  # every link opens a real page at the cited section
        parts = urlsplit(url)
        page = teams.get(parts.path)
        assert page.status_code == 200
        assert not parts.fragment or f'id="{parts.fragment}"' in page.text

    up, down = card["actions"]
    assert up["type"] == "Action.Submit" and up["data"]["rating"] == "up" and up["data"]["answer_id"]
    assert down["type"] == "Action.ShowCard"
    reason, comment = down["card"]["body"]
    assert [c["value"] for c in reason["choices"]] == list(REASONS)
    assert comment["type"] == "Input.Text" and comment["isMultiline"]
    assert down["card"]["actions"][0]["data"] == {**up["data"], "rating": "down"}


def test_teams_channel_mention_is_stripped_and_answered_in_its_thread(teams: TestClient, services: BotServices) -> None:
    thread = "19:general@thread.tacv2;messageid=1700000000001"
    reply = ask(teams, services, "När avvisas ansökan?", conversation=thread, kind="channel", mention=True)
    assert reply.card is not None and f"{BASE}/pages/komplettering#avvisning" in links(reply.card)
    with teams.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        exchange = session.scalars(select(Exchange)).one()
        assert exchange.question == "När avvisas ansökan?" and exchange.channel == "teams"
        assert exchange.conversation.channel_ref == thread


def test_teams_channel_message_without_mention_is_ignored(teams: TestClient, services: BotServices) -> None:
    activity = message(services, "När avvisas ansökan?", conversation="19:general@thread.tacv2", kind="channel")
    assert post(teams, services, activity).status_code == 202
    assert services.replies_to("19:general@thread.tacv2") == []


def test_teams_follow_up_in_same_chat_uses_earlier_turn(teams: TestClient, services: BotServices) -> None:
    ask(teams, services, "När är du jävig?", conversation="a:chat-jav")
    follow_up = ask(teams, services, "och vad gör jag då?", conversation="a:chat-jav").card
    assert follow_up is not None and cited(follow_up)
    assert all(url.startswith(f"{BASE}/pages/jav") for url in cited(follow_up))

    alone = ask(teams, services, "och vad gör jag då?", conversation="a:another-chat").card
    assert alone is not None and cited(alone) == [] and "Källor" not in texts(alone)
    assert any("inte säker" in block for block in texts(alone))  # the unsure note, with the nearest pages


def test_teams_feedback_submit_stores_rating_reason_and_comment(teams: TestClient, services: BotServices) -> None:
    card = ask(teams, services, "När avvisas ansökan?").card
    assert card is not None
    submit = {
        **card["actions"][1]["card"]["actions"][0]["data"],
        "reason": "inaktuellt",
        "comment": "Fristen ändrades.",
    }
    assert post(teams, services, message(services, None, value=submit)).status_code == 202

    assert services.replies_to("a:personal-chat-1")[-1].activity["text"] == "Tack! Din återkoppling är sparad."
    [row] = feedback_rows(teams)
    assert (row.exchange_id, row.rating, row.reason, row.comment) == (submit["answer_id"], "down", "inaktuellt",
                                                                       "Fristen ändrades.")  # fmt: skip
    assert (row.channel, row.user_id) == ("teams", "aad-user-1")


def test_teams_feedback_that_cannot_be_stored_is_told_to_the_user(teams: TestClient, services: BotServices) -> None:
    submit = {"verb": "feedback", "answer_id": "no-such-answer", "rating": "up"}
    assert post(teams, services, message(services, None, value=submit)).status_code == 202
    [reply] = services.replies_to("a:personal-chat-1")
    assert reply.activity["text"].startswith("Din återkoppling kunde inte sparas")
    assert feedback_rows(teams) == []


def test_teams_retried_activity_is_answered_once_by_two_replicas(
    settings: Settings, published: IndexStore, services: BotServices
) -> None:
    """Two app instances on one database stand in for two replicas behind a load balancer; the Bot Connector
    redelivers the same activity (same id) to the second after the first was slow."""
    with (
        TestClient(create_app(teams_settings(settings, services))) as first,
        TestClient(create_app(teams_settings(settings, services))) as second,
    ):
        activity = message(services, "När avvisas ansökan?", conversation="a:personal-chat-9")
        assert post(first, services, activity).status_code == 202
        assert post(second, services, activity).status_code == 202
        assert post(first, services, activity).status_code == 202
        assert len(services.replies_to("a:personal-chat-9")) == 1
        follow_up = message(services, "och om sökanden inte svarar?", conversation="a:personal-chat-9")
        assert post(second, services, follow_up).status_code == 202  # the other replica continues the chat
    replies = services.replies_to("a:personal-chat-9")
    assert len(replies) == 2
    with first.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        rows = session.scalars(select(Exchange).order_by(Exchange.created_at)).all()
        assert [row.conversation_id for row in rows] == [rows[0].conversation_id] * 2


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("not-a-jwt", id="malformed"),
        pytest.param("stranger-key", id="bad-signature"),
        pytest.param("wrong-audience", id="wrong-audience"),
        pytest.param("wrong-issuer", id="wrong-issuer"),
        pytest.param("expired", id="expired"),
        pytest.param("other-service-url", id="other-service-url"),
        pytest.param("other-channel", id="key-not-endorsed-for-channel"),
    ],
)
def test_teams_request_without_valid_token_is_rejected(
    teams: TestClient, services: BotServices, token: str | None
) -> None:
    tokens = {
        "not-a-jwt": "not-a-jwt",
        "stranger-key": services.channel_token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "wrong-audience": services.channel_token(aud="some-other-bot"),
        "wrong-issuer": services.channel_token(iss="https://evil.example"),
        "expired": services.channel_token(exp=int(dt.datetime.now(dt.UTC).timestamp()) - 3600),
        "other-service-url": services.channel_token(serviceurl="https://elsewhere.example/"),
        "other-channel": services.channel_token(),
    }
    activity = message(services, "När avvisas ansökan?")
    if token == "other-channel":
        activity["channelId"] = "webchat"  # the local key, like Microsoft's, endorses only "msteams"
    response = post(teams, services, activity, token=token and tokens[token])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert services.replies == []
    with teams.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        assert session.scalars(select(Exchange)).first() is None


def test_teams_wrong_app_secret_fails_visibly_and_posts_nothing(
    settings: Settings, published: IndexStore, services: BotServices
) -> None:
    configured = teams_settings(settings, services, secret="rotated-away")
    with TestClient(create_app(configured), raise_server_exceptions=False) as client:
        response = post(client, services, message(services, "När avvisas ansökan?"))
    assert response.status_code == 500  # the Bot Connector sees the failure; the log names the refused secret
    assert [r["client_id"] for r in services.token_requests] == [APP_ID]
    assert services.replies == []


def test_teams_question_before_any_index_is_published_tells_the_user(settings: Settings, services: BotServices) -> None:
    with TestClient(create_app(teams_settings(settings, services))) as client:
        reply = ask(client, services, "När avvisas ansökan?")
    assert reply.card is None and reply.activity["text"].startswith("Jag kunde inte svara just nu: ")


def test_teams_channel_off_without_app_id(client: TestClient) -> None:
    assert client.post("/api/messages", json={"type": "message"}).status_code == 404


def test_answer_to_card_abstaining_shows_unsure_note_and_absolute_suggestions() -> None:
    nearest = Citation("jav", "Jäv", "nar-ar-du-javig", "När är du jävig?", "/pages/jav#nar-ar-du-javig", "…")
    answer = Answer(answer_id="a1", conversation_id="c1", answered=False, text="I could not find a reliable answer.",
                    confidence=0.2, citations=(), suggestions=(nearest,), notes=("'Jäv' is past its review date.",),
                    language="en")  # fmt: skip
    card = answer_to_card(answer, "https://vagledning.example.se/", "en")
    blocks = texts(card)
    assert blocks[1].startswith("The assistant is not sure")
    assert "'Jäv' is past its review date." in blocks
    assert "Closest pages" in blocks and "Sources" not in blocks
    assert links(card) == ["https://vagledning.example.se/pages/jav#nar-ar-du-javig"]
    assert [a["title"] for a in card["actions"]] == ["👍 Helpful", "👎 Not helpful"]


def test_teams_package_command_builds_manifest_for_this_bot_with_icons(tmp_path: Path) -> None:
    out = tmp_path / "teams-app.zip"
    result = CliRunner().invoke(
        build_package_command, ["--out", str(out), "--website", "https://vagledning.example.se/"],
        env={"ASSISTANT_TEAMS_APP_ID": APP_ID},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        raw = package.read("manifest.json").decode()
        color, outline = package.read("color.png"), package.read("outline.png")
    manifest = json.loads(raw)
    assert "${{" not in raw
    assert tuple(int(p) for p in manifest["manifestVersion"].split(".")) >= (1, 17)
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert {"personal", "team"} <= set(manifest["bots"][0]["scopes"])
    assert manifest["developer"]["websiteUrl"] == "https://vagledning.example.se"
    assert (png_size(color), png_size(outline)) == ((192, 192), (32, 32))
    pixels = set(_rgba_pixels(outline, 32))  # Teams accepts only white on transparent for the outline icon
    assert {p[:3] for p in pixels} == {(255, 255, 255)} and {p[3] for p in pixels} == {0, 255}


def test_teams_package_command_refuses_missing_app_id_or_plain_http(tmp_path: Path) -> None:
    runner, out = CliRunner(), str(tmp_path / "teams-app.zip")
    unset: dict[str, str | None] = {"ASSISTANT_TEAMS_APP_ID": None}
    missing = runner.invoke(build_package_command, ["--out", out, "--website", "https://x.example"], env=unset)
    assert missing.exit_code == 1 and "ASSISTANT_TEAMS_APP_ID" in missing.output
    get_settings.cache_clear()  # the command reads settings once per process, like the server
    plain = runner.invoke(build_package_command, ["--out", out, "--website", "http://x.example"],
                          env={"ASSISTANT_TEAMS_APP_ID": APP_ID})  # fmt: skip
    assert plain.exit_code == 1 and "https" in plain.output
    assert not Path(out).exists()


def _rgba_pixels(png: bytes, width: int) -> list[tuple[int, ...]]:
    """Pixels of an unfiltered 8-bit RGBA PNG with one IDAT chunk (what bots.teams.icons writes)."""
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    rows = zlib.decompress(png[start : start + length])
    stride = width * 4 + 1
    return [tuple(rows[y * stride + 1 + x * 4 : y * stride + 5 + x * 4]) for y in range(len(rows) // stride)
            for x in range(width)]  # fmt: skip
