"""The Slack channel through its real protocol: signed requests into the real FastAPI app (Bolt inside it),
with Slack's Web API, response_url hooks and Socket Mode served by a local recording server
(tests/slack_api_server.py), because slack.com cannot be reached from tests.

Answers are posted after Slack is acknowledged, as in production. Tests wait for the recorded call, or
leave the app's `with` block, whose shutdown finishes every answer under way, before asserting that
something was NOT posted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import SecretStr
from slack_api_server import BOT_USER_ID, TEAM_ID, SlackApiServer
from sqlalchemy import select

from assistant.api.app import create_app
from assistant.cli import main
from assistant.compose import Citation
from assistant.core import Answer, build_assistant
from assistant.db import Conversation, Exchange, Feedback
from assistant.feedback import REASONS
from assistant.settings import Settings
from bots.slack.handlers import question_text
from bots.slack.render import answer_to_blocks
from bots.slack.socket_mode import socket_mode_handler
from ingest.publish import IndexStore

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "5f0c8e1d2b7a4c93b1e6d8a0f2c4e6a8"
BOT_TOKEN = "xoxb-1-nrv-test"
APP_TOKEN = "xapp-1-nrv-test"
CHANNEL, USER = "C0HANDL", "U0KARIN"
QUESTION = "Hur lång tid har sökanden på sig att komplettera ansökan?"
LINK = re.compile(r"<(https?://[^|>]+)\|")


# --- fixtures and helpers ------------------------------------------------------------------------------


@pytest.fixture
def slack_server() -> Iterator[SlackApiServer]:
    server = SlackApiServer(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def slack_settings(settings: Settings, slack_server: SlackApiServer, published: IndexStore) -> Settings:
    return settings.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": slack_server.api_url,
        }
    )


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    """The real app; leaving the block runs its shutdown, which finishes the answers under way."""
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def slack(slack_settings: Settings) -> Iterator[TestClient]:
    with running(slack_settings) as client:
        yield client


def signed(body: str, timestamp: float | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's request signature: v0=HMAC-SHA256(signing secret, 'v0:{timestamp}:{raw body}')."""
    ts = str(int(timestamp if timestamp is not None else time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def post_signed(client: TestClient, body: str, content_type: str, **headers: str) -> Any:
    return client.post(
        "/slack/events", content=body.encode(), headers={"Content-Type": content_type, **signed(body), **headers}
    )


def event_body(event: dict[str, Any], event_id: str = "Ev0001") -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0NRV",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def post_event(client: TestClient, event: dict[str, Any], event_id: str = "Ev0001", **headers: str) -> Any:
    return post_signed(client, event_body(event, event_id), "application/json", **headers)


def mention(text: str, ts: str = "1760000100.000100", thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts, "channel": CHANNEL}
    return {**event, "thread_ts": thread_ts} if thread_ts else event


def post_interaction(client: TestClient, payload: dict[str, Any]) -> Any:
    base = {"team": {"id": TEAM_ID, "domain": "nrv"}, "user": {"id": USER, "team_id": TEAM_ID}, "api_app_id": "A0NRV"}
    body = urlencode({"payload": json.dumps({**base, **payload})})
    return post_signed(client, body, "application/x-www-form-urlencoded")


def click_button(client: TestClient, action_id: str, answer_id: str, response_url: str) -> Any:
    return post_interaction(
        client,
        {
            "type": "block_actions",
            "trigger_id": "1760000.42.abcdef",
            "channel": {"id": CHANNEL, "name": "handlaggare"},
            "container": {"type": "message", "message_ts": "1760000000.000001", "channel_id": CHANNEL},
            "response_url": response_url,
            "actions": [{"type": "button", "action_id": action_id, "block_id": "feedback", "value": answer_id}],
        },
    )


def submit_modal(client: TestClient, view: dict[str, Any], reason: str, comment: str | None) -> Any:
    values = {
        "reason": {"reason_select": {"type": "static_select", "selected_option": {"value": reason}}},
        "comment": {"comment_input": {"type": "plain_text_input", "value": comment}},
    }
    submitted = {**view, "id": "V0MODAL", "state": {"values": values}}
    return post_interaction(client, {"type": "view_submission", "trigger_id": "1760000.43.x", "view": submitted})


def block(message: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in message["blocks"] if b.get("block_id") == block_id)


def answer_id_of(message: dict[str, Any]) -> str:
    buttons = block(message, "feedback")["elements"]
    assert {b["action_id"] for b in buttons} == {"feedback_up", "feedback_down"}
    assert buttons[0]["value"] == buttons[1]["value"]
    return str(buttons[0]["value"])


def ask_in_channel(client: TestClient, server: SlackApiServer, text: str = QUESTION) -> dict[str, Any]:
    assert post_event(client, mention(text)).status_code == 200
    return server.wait_for("chat.postMessage")[-1].params


def feedback_rows(client: TestClient) -> list[Feedback]:
    with client.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(Feedback)).all())


# --- answering -----------------------------------------------------------------------------------------


def test_slack_mention_answers_in_thread_with_links_to_sections(
    slack: TestClient, slack_server: SlackApiServer
) -> None:
    posted = ask_in_channel(slack, slack_server)

    [call] = slack_server.calls_to("chat.postMessage")
    assert call.token == BOT_TOKEN
    assert posted["channel"] == CHANNEL and posted["thread_ts"] == "1760000100.000100"
    answer_text = block(posted, "answer")["text"]["text"]
    assert "14 dagar" in answer_text and "[1]" in answer_text
    sources = block(posted, "sources")["text"]["text"]
    assert "Källor" in sources and "Komplettering av ansökan – Tidsfrist för komplettering" in sources
    urls = LINK.findall(answer_text + sources)
    assert urls, "the answer links its citations"
    for url in urls:  # every citation opens the exact section on this server
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "http://127.0.0.1:8000"
        page = slack.get(parts.path)
        assert page.status_code == 200 and f'id="{parts.fragment}"' in page.text
    assert "AI-assistent" in json.dumps(block(posted, "notes"), ensure_ascii=False)
    with slack.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        exchange = session.get(Exchange, answer_id_of(posted))
        assert exchange is not None and exchange.channel == "slack"


def test_slack_follow_up_in_thread_continues_the_conversation(slack: TestClient, slack_server: SlackApiServer) -> None:
    first_ts = "1760000200.000100"
    post_event(slack, mention(QUESTION, ts=first_ts), event_id="Ev0010")
    slack_server.wait_for("chat.postMessage")
    post_event(slack, mention("och om hen inte gör det?", ts="1760000260.000200", thread_ts=first_ts), "Ev0011")
    follow_up = slack_server.wait_for("chat.postMessage", count=2)[-1].params

    assert follow_up["thread_ts"] == first_ts
    with slack.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        [conversation] = session.scalars(select(Conversation)).all()
        assert conversation.channel_ref == f"{TEAM_ID}:{CHANNEL}:{first_ts}"
        exchanges = sorted(conversation.exchanges, key=lambda e: e.created_at)
        assert [e.id for e in exchanges][-1] == answer_id_of(follow_up)
        assert "komplettera" in exchanges[1].search_text  # the earlier question gives the follow-up its topic


def test_slack_direct_message_answered_but_edits_and_own_messages_ignored(
    slack_settings: Settings, slack_server: SlackApiServer
) -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D0KARIN", "user": USER, "ts": "1760000300.000100"}
    with running(slack_settings) as client:
        post_event(client, {**dm, "text": "Hur betalas pengarna ut efter rekvisition?"}, "Ev0020")
        post_event(client, {**dm, "subtype": "message_changed", "text": "ändrad"}, "Ev0021")
        post_event(client, {**dm, "user": BOT_USER_ID, "text": "mitt eget svar"}, "Ev0022")
    [call] = slack_server.calls_to("chat.postMessage")
    assert call.params["channel"] == "D0KARIN" and call.params["thread_ts"] == "1760000300.000100"
    assert "30 dagar" in block(call.params, "answer")["text"]["text"]


def test_slack_unsure_answer_says_so_and_lists_closest_pages(slack: TestClient, slack_server: SlackApiServer) -> None:
    posted = ask_in_channel(
        slack, slack_server, "Hur stor är förseningsavgiften vid komplettering av en pappersansökan från Norge?"
    )

    assert "inget säkert svar" in block(posted, "answer")["text"]["text"]
    notes = json.dumps(block(posted, "notes"), ensure_ascii=False)
    assert "Osäkert" in notes
    sources = block(posted, "sources")["text"]["text"]
    assert "Sidor som ligger närmast" in sources and LINK.findall(sources)
    answer_id_of(posted)  # an abstention can be rated too


def test_slack_slash_command_answers_privately(slack: TestClient, slack_server: SlackApiServer) -> None:
    form = {
        "token": "legacy",
        "team_id": TEAM_ID,
        "channel_id": CHANNEL,
        "user_id": USER,
        "command": "/fraga",
        "text": QUESTION,
        "response_url": slack_server.response_url("command"),
        "trigger_id": "1760000.44.x",
    }
    response = post_signed(slack, urlencode(form), "application/x-www-form-urlencoded")

    assert response.status_code == 200 and "Söker" in response.text
    [call] = slack_server.wait_for("response_url")
    assert call.path == "/response/command" and call.params["response_type"] == "ephemeral"
    assert "14 dagar" in block(call.params, "answer")["text"]["text"]
    empty = post_signed(slack, urlencode({**form, "text": "  "}), "application/x-www-form-urlencoded")
    assert "/fraga Hur lång tid" in empty.text


def test_slack_url_verification_returns_challenge(slack: TestClient) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = post_signed(slack, body, "application/json")
    assert response.status_code == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


# --- feedback ------------------------------------------------------------------------------------------


def test_slack_thumbs_up_stores_feedback_and_confirms(slack: TestClient, slack_server: SlackApiServer) -> None:
    answer_id = answer_id_of(ask_in_channel(slack, slack_server))

    assert click_button(slack, "feedback_up", answer_id, slack_server.response_url("up")).status_code == 200
    [confirmation] = slack_server.wait_for("response_url")
    assert confirmation.params["response_type"] == "ephemeral" and "sparad" in confirmation.params["text"]
    [row] = feedback_rows(slack)
    assert (row.exchange_id, row.rating, row.channel, row.user_id) == (answer_id, "up", "slack", f"{TEAM_ID}:{USER}")


def test_slack_thumbs_up_that_cannot_be_stored_tells_the_user(slack: TestClient, slack_server: SlackApiServer) -> None:
    click_button(slack, "feedback_up", "no-such-answer", slack_server.response_url("up"))

    [reply] = slack_server.wait_for("response_url")
    assert "kunde inte sparas" in reply.params["text"] and "no-such-answer" in reply.params["text"]
    assert feedback_rows(slack) == []


def test_slack_thumbs_down_opens_modal_and_stores_reason_and_comment(
    slack: TestClient, slack_server: SlackApiServer
) -> None:
    answer_id = answer_id_of(ask_in_channel(slack, slack_server))

    click_button(slack, "feedback_down", answer_id, slack_server.response_url("down"))
    [opened] = slack_server.wait_for("views.open")
    assert opened.params["trigger_id"] == "1760000.42.abcdef"
    view = opened.params["view"]
    reasons = block(view, "reason")["element"]["options"]
    assert [o["value"] for o in reasons] == list(REASONS)
    response = submit_modal(slack, view, "inaktuellt", "Fristen ändrades i år, ring mig på 070-123 45 67")

    assert response.status_code == 200 and response.json()["response_action"] == "update"
    assert "sparad" in json.dumps(response.json()["view"], ensure_ascii=False)
    [row] = feedback_rows(slack)
    assert (row.exchange_id, row.rating, row.reason) == (answer_id, "down", "inaktuellt")
    assert row.comment is not None and "Fristen ändrades" in row.comment and "070-123" not in row.comment


def test_slack_modal_feedback_that_cannot_be_stored_is_shown_in_the_modal(
    slack: TestClient, slack_server: SlackApiServer
) -> None:
    ask_in_channel(slack, slack_server)
    click_button(slack, "feedback_down", "no-such-answer", slack_server.response_url("down"))
    view = slack_server.wait_for("views.open")[0].params["view"]

    response = submit_modal(slack, view, "fel svar", None)

    assert response.json()["response_action"] == "errors"
    assert "kunde inte sparas" in response.json()["errors"]["reason"]
    assert feedback_rows(slack) == []


# --- trust and retries ---------------------------------------------------------------------------------


def test_slack_rejects_bad_signature_and_old_timestamp(slack_settings: Settings, slack_server: SlackApiServer) -> None:
    body = event_body(mention(QUESTION))
    with running(slack_settings) as client:
        forged = client.post(
            "/slack/events", content=body, headers={"Content-Type": "application/json", **signed(body, secret="x" * 32)}
        )
        replayed = client.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": "application/json", **signed(body, timestamp=time.time() - 6 * 60)},
        )
    assert forged.status_code == 401 and replayed.status_code == 401
    assert slack_server.calls_to("chat.postMessage") == []


def test_slack_retried_event_is_answered_once_even_by_another_process(
    slack_settings: Settings, slack_server: SlackApiServer
) -> None:
    """Two app instances on one database stand in for two server processes behind a load balancer."""
    event = mention(QUESTION)
    with running(slack_settings) as first, running(slack_settings) as second:
        assert post_event(first, event, "Ev0099").status_code == 200
        slack_server.wait_for("chat.postMessage")
        assert (
            post_event(
                second, event, "Ev0099", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            ).status_code
            == 200
        )
        assert post_event(first, event, "Ev0099", **{"X-Slack-Retry-Num": "2"}).status_code == 200
    assert len(slack_server.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("timestamp", ["not-a-number", "", "1.5e9", "-1", "9" * 40])
def test_slack_non_numeric_timestamp_is_refused_before_the_signature_check(slack: TestClient, timestamp: str) -> None:
    """Measured: a non-numeric X-Slack-Request-Timestamp gave 500 before any signature check."""
    body = event_body(mention(QUESTION))
    headers = {**signed(body), "X-Slack-Request-Timestamp": timestamp, "Content-Type": "application/json"}
    response = slack.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert "X-Slack-Request-Timestamp" in response.json()["error"]["details"][0]


def test_slack_replayed_slash_command_is_answered_once(slack_settings: Settings, slack_server: SlackApiServer) -> None:
    """Measured: a slash command replayed inside the five-minute window was answered again."""
    form = urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": CHANNEL,
            "user_id": USER,
            "command": "/fraga",
            "text": QUESTION,
            "response_url": slack_server.response_url("command"),
            "trigger_id": "1760000.45.x",
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(form)}
    with running(slack_settings) as first, running(slack_settings) as second:
        assert first.post("/slack/events", content=form, headers=headers).status_code == 200
        slack_server.wait_for("response_url")
        assert second.post("/slack/events", content=form, headers=headers).status_code == 200
    assert len(slack_server.calls_to("response_url")) == 1
    with first.app.state.assistant.database.session() as session:  # type: ignore[attr-defined]
        assert len(session.scalars(select(Exchange)).all()) == 1


def test_slack_replayed_button_click_is_processed_once(slack: TestClient, slack_server: SlackApiServer) -> None:
    answer_id = answer_id_of(ask_in_channel(slack, slack_server))
    base = {"team": {"id": TEAM_ID}, "user": {"id": USER, "team_id": TEAM_ID}, "api_app_id": "A0NRV"}
    payload = {
        **base,
        "type": "block_actions",
        "trigger_id": "1760000.46.x",
        "response_url": slack_server.response_url("up"),
        "actions": [{"type": "button", "action_id": "feedback_up", "block_id": "feedback", "value": answer_id}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    assert slack.post("/slack/events", content=body, headers=headers).status_code == 200
    slack_server.wait_for("response_url")
    assert slack.post("/slack/events", content=body, headers=headers).status_code == 200
    time.sleep(0.3)  # a second confirmation, if any, would be posted after the acknowledgement
    assert len(slack_server.calls_to("response_url")) == 1
    assert len(feedback_rows(slack)) == 1


def test_slack_colleague_in_the_thread_may_rate_but_not_from_elsewhere(
    slack: TestClient, slack_server: SlackApiServer
) -> None:
    """One rating per user and answer, on answers the user asked or could see: the same Slack thread."""
    posted = ask_in_channel(slack, slack_server)  # asked by USER in CHANNEL, answered in the thread
    answer_id = answer_id_of(posted)
    colleague = {"team": {"id": TEAM_ID}, "user": {"id": "U0BERIT", "team_id": TEAM_ID}, "api_app_id": "A0NRV"}

    def click(user: dict[str, Any], channel: str, trigger: str) -> None:
        payload = {
            **user,
            "type": "block_actions",
            "trigger_id": trigger,
            "container": {
                "type": "message",
                "message_ts": "1760000100.000200",
                "channel_id": channel,
                "thread_ts": posted["thread_ts"],
            },
            "channel": {"id": channel},
            "response_url": slack_server.response_url(trigger),
            "actions": [{"type": "button", "action_id": "feedback_up", "block_id": "feedback", "value": answer_id}],
        }
        body = urlencode({"payload": json.dumps(payload)})
        post_signed(slack, body, "application/x-www-form-urlencoded")

    click(colleague, CHANNEL, "t1")
    assert "sparad" in slack_server.wait_for("response_url")[-1].params["text"]
    click({**colleague, "user": {"id": "U0CECILIA", "team_id": TEAM_ID}}, "C0OTHER", "t2")
    refused = slack_server.wait_for("response_url", count=2)[-1].params["text"]
    assert "kunde inte sparas" in refused
    click(colleague, CHANNEL, "t3")  # a second click by the same colleague replaces their rating
    slack_server.wait_for("response_url", count=3)
    assert sorted(r.user_id for r in feedback_rows(slack)) == [f"{TEAM_ID}:U0BERIT"]


def test_slack_is_off_when_not_configured(settings: Settings, published: IndexStore) -> None:
    body = event_body(mention(QUESTION))
    for partial in ({}, {"slack_bot_token": SecretStr(BOT_TOKEN)}, {"slack_signing_secret": SecretStr(SIGNING_SECRET)}):
        with running(settings.model_copy(update=partial)) as client:
            response = client.post("/slack/events", content=body, headers=signed(body))
            assert response.status_code == 404, partial
            assert client.get("/api/pages").status_code == 200  # the rest of the server is unaffected


def test_slack_never_logs_the_question(
    slack_settings: Settings, slack_server: SlackApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    question = "Hur lång tid har Zlatan Ekström på sig att komplettera ansökan?"
    assistant_logger = logging.getLogger("assistant")
    assistant_logger.addHandler(caplog.handler)  # the service's logger does not propagate to the root
    try:
        with caplog.at_level(logging.INFO), running(slack_settings) as client:
            post_event(client, mention(question), "Ev0050")
            slack_server.wait_for("chat.postMessage")
    finally:
        assistant_logger.removeHandler(caplog.handler)
    assert any(r.name.startswith("assistant") for r in caplog.records)
    for record in caplog.records:
        assert "Zlatan" not in record.getMessage() and "Zlatan" not in repr(record.__dict__), record.name


# --- Socket Mode ---------------------------------------------------------------------------------------


def test_slack_socket_mode_answers_over_the_websocket(slack_settings: Settings, slack_server: SlackApiServer) -> None:
    settings = slack_settings.model_copy(update={"slack_signing_secret": None, "slack_app_token": SecretStr(APP_TOKEN)})
    handler = socket_mode_handler(settings, build_assistant(settings))
    handler.connect()
    try:
        slack_server.wait_for_socket_client()
        payload = json.loads(event_body(mention(QUESTION, ts="1760000400.000100"), "Ev0070"))
        slack_server.send_envelope(
            {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False, "payload": payload}
        )
        slack_server.wait_for_socket_message(lambda m: m.get("envelope_id") == "env-1")  # acknowledged
        [posted] = slack_server.wait_for("chat.postMessage")
    finally:
        handler.close()
    assert slack_server.calls_to("apps.connections.open")[0].token == APP_TOKEN
    assert posted.params["thread_ts"] == "1760000400.000100" and posted.token == BOT_TOKEN
    assert "14 dagar" in block(posted.params, "answer")["text"]["text"]


def test_slack_cli_refuses_socket_mode_without_app_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("ASSISTANT_SLACK_APP_TOKEN", raising=False)
    monkeypatch.setenv("ASSISTANT_SLACK_BOT_TOKEN", BOT_TOKEN)

    result = CliRunner().invoke(main, ["slack"])

    assert result.exit_code == 1
    assert "ASSISTANT_SLACK_APP_TOKEN" in result.output and "ASSISTANT_SLACK_BOT_TOKEN" not in result.output


# --- pure parts ----------------------------------------------------------------------------------------


def test_answer_to_blocks_links_markers_and_escapes_markup() -> None:
    cited = Citation("jav", "Jäv", "nar-ar-du-javig", "När är du jävig", "/pages/jav#nar-ar-du-javig", "…")
    answer = Answer("a1", "c1", True, "Du är jävig om <b>det</b> angår dig [1]. Se [2].", 0.8, (cited,))

    blocks = answer_to_blocks(answer, "https://vagledning.nrv.example.se/", "sv")

    text = blocks[0]["text"]["text"]
    assert "<https://vagledning.nrv.example.se/pages/jav#nar-ar-du-javig|[1]>" in text
    assert "&lt;b&gt;det&lt;/b&gt;" in text and "[2]" in text  # a marker without a citation stays as written
    assert (
        "1. <https://vagledning.nrv.example.se/pages/jav#nar-ar-du-javig|Jäv – När är du jävig>"
        in (blocks[1]["text"]["text"])
    )


def test_question_text_drops_slack_markup() -> None:
    raw = "<@U0BOT> vad gäller för <https://nrv.se/x|rutinen> &amp; <#C123|handlaggare> &lt;3 <!here>"
    assert question_text(raw) == "vad gäller för rutinen & handlaggare <3"


def test_slack_manifest_matches_the_app() -> None:
    manifest = yaml.safe_load((ROOT / "bots" / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
    settings = manifest["settings"]

    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == Settings.model_fields["slack_command"].default
    for url in (
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        command["url"],
    ):
        assert url.endswith("/slack/events")
