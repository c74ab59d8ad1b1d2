"""Slack listeners: a mention, a direct message or the slash command becomes one call to the answer core;
👍, 👎 and the feedback modal become one call to record_feedback. Question text is never logged here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from assistant import messages
from assistant.core import Assistant
from assistant.db import ProcessedEvent
from assistant.errors import as_assistant_error
from assistant.feedback import record_feedback
from bots.slack.render import (
    ACTION_DOWN,
    ACTION_UP,
    FEEDBACK_MODAL,
    REASON_BLOCK,
    SlackMessage,
    answer_to_message,
    feedback_modal,
    notice,
    read_feedback_modal,
    strings,
    thanks_view,
)

log = logging.getLogger("assistant.slack")
CHANNEL = "slack"
EVENT_MEMORY = dt.timedelta(days=1)  # Slack retries within minutes; older event ids can be forgotten
_MENTION = re.compile(r"<[@!][^>]*>")  # users and @here: nothing to search for, and user ids are personal
_LABELLED = re.compile(r"<[^|>]+\|([^>]+)>")  # <https://…|label>, <#C123|kanal>
_BARE = re.compile(r"<([^>]+)>")


def question_text(text: str) -> str:
    """The question as a person wrote it: Slack's mention, link and escape markup removed."""
    text = _LABELLED.sub(r"\1", _MENTION.sub(" ", text))
    text = _BARE.sub(r"\1", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


@dataclass
class SlackListeners:
    """The listeners of one Bolt app, bound to the core and to how answers are shown."""

    assistant: Assistant
    base_url: str  # where citation links point
    language: str
    command: str

    def register(self, app: App) -> None:
        app.use(self.skip_repeated_events)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command(self.command)(self.on_command)
        app.action(ACTION_UP)(self.on_rate_up)
        app.action(ACTION_DOWN)(self.on_rate_down)
        app.view(FEEDBACK_MODAL)(self.on_feedback_modal)

    # --- questions ----------------------------------------------------------------------------------

    def on_mention(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """@mention in a channel: answer in the thread of the message (or the thread it was written in)."""
        self.reply_in_thread(client, context, event, trigger=f"<@{context.bot_user_id}> ")

    def on_message(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """A direct message; edits, joins and other bots' messages are acknowledged and left alone."""
        if event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id"):
            self.reply_in_thread(client, context, event, trigger="")

    def reply_in_thread(self, client: WebClient, context: BoltContext, event: dict[str, Any], trigger: str) -> None:
        channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
        question = question_text(event.get("text", ""))
        if question:
            message = self.answer(
                question,
                user_id=f"{context.team_id}:{event.get('user')}",
                channel_ref=f"{context.team_id}:{channel}:{thread_ts}",  # follow-ups in the thread continue it
            )
        else:
            usage = strings(self.language)["usage"].format(trigger=trigger)
            message = notice(usage, mrkdwn=usage)
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=message.text, blocks=message.blocks, unfurl_links=False
        )

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """The slash command: acknowledged at once, answered privately (ephemeral) through response_url."""
        t = strings(self.language)
        question = question_text(command.get("text", ""))
        if not question:
            ack(text=t["usage"].format(trigger=f"{self.command} "))
            return
        ack(text=t["searching"])
        message = self.answer(question, user_id=f"{context.team_id}:{command.get('user_id')}", channel_ref=None)
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)

    def answer(self, question: str, user_id: str, channel_ref: str | None) -> SlackMessage:
        """The core's answer as a Slack message, or a message saying why there is none."""
        t = strings(self.language)
        try:
            answer = self.assistant.answer(question, channel=CHANNEL, user_id=user_id, channel_ref=channel_ref)
        except Exception as err:
            known = as_assistant_error(err)
            if known is None:
                log.exception("slack answer failed")
                return notice(t["unexpected"])
            log.warning("slack answer refused", extra={"code": known.code.value})
            return notice(t["answer_failed"].format(message=known.text(self.language)))
        return answer_to_message(answer, self.base_url, answer.language)

    # --- feedback -----------------------------------------------------------------------------------

    def on_rate_up(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """👍: stored at once; the user gets a private confirmation, or the reason it failed."""
        ack()
        error = self.store_feedback(body["actions"][0]["value"], "up", None, None, _user_id(body), _seen_in(body))
        respond(text=error or strings(self.language)["thanks"], response_type="ephemeral", replace_original=False)

    def on_rate_down(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """👎: opens the modal asking for a reason and a comment (trigger_id is valid for 3 seconds)."""
        ack()
        view = feedback_modal(body["actions"][0]["value"], self.language, _seen_in(body))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def on_feedback_modal(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The modal's submission: stored before the modal closes; a failure is shown in the modal itself."""
        submitted = read_feedback_modal(view)
        error = self.store_feedback(
            submitted.answer_id,
            "down",
            submitted.reason,
            submitted.comment,
            _user_id(body),
            submitted.seen_in,
            submitted.language,
        )
        if error:
            ack(response_action="errors", errors={REASON_BLOCK: error})
        else:
            ack(response_action="update", view=thanks_view(submitted.language))

    def store_feedback(
        self,
        answer_id: str,
        rating: str,
        reason: str | None,
        comment: str | None,
        user_id: str,
        seen_in: str | None,
        language: str | None = None,
    ) -> str | None:
        """Store one rating; returns the message to show when it could not be stored."""
        failed = strings(language or self.language)["feedback_failed"]
        if self.assistant.database is None:
            return failed.format(message=messages.t("error.no_database", language or self.language))
        try:
            record_feedback(self.assistant.database, answer_id, rating, reason, comment, CHANNEL, user_id, seen_in)
        except Exception as err:
            known = as_assistant_error(err)
            if known is None:
                raise
            log.warning("slack feedback not stored", extra={"code": known.code.value, "answer_id": answer_id})
            return failed.format(message=known.text(language or self.language))
        return None

    # --- retries ------------------------------------------------------------------------------------

    def skip_repeated_events(self, body: dict[str, Any], request: BoltRequest, next_: Any) -> BoltResponse | None:
        """Global middleware (after Bolt's signature check): a request seen before is acknowledged, not handled.

        Slack redelivers an event (X-Slack-Retry-Num) when the first delivery was slow or failed: its event id
        is the key. Slash commands and button clicks have no id and are never redelivered by Slack, but a
        captured request can be replayed while its timestamp is inside the five-minute window: the signature
        (an HMAC over timestamp and body) is the key, so only an exact replay is skipped. Keys are kept in the
        database so a second process or a restarted server recognises them too.
        """
        retry = next(iter(request.headers.get("x-slack-retry-num") or []), None)
        if body.get("type") == "event_callback" and body.get("event_id"):
            key = f"slack:{body['event_id']}"
        else:
            signature = next(iter(request.headers.get("x-slack-signature") or []), None)
            key = f"slack:sig:{signature[:80]}" if signature else ""
        if key and not self.first_delivery(key.removeprefix("slack:"), retry):
            log.info("slack request already handled", extra={"key": key, "retry": retry})
            return BoltResponse(status=200, body="")
        next_()
        return None

    def first_delivery(self, event_id: str, retry: str | None) -> bool:
        database = self.assistant.database
        if database is None:  # without storage, Slack's retry header is all there is to go on
            return retry is None
        cutoff = dt.datetime.now(dt.UTC) - EVENT_MEMORY
        try:
            with database.session() as session:
                session.execute(
                    delete(ProcessedEvent).where(ProcessedEvent.key.like("slack:%"), ProcessedEvent.created_at < cutoff)
                )
                session.add(ProcessedEvent(key=f"slack:{event_id}"))
        except IntegrityError:
            return False
        return True


def _seen_in(body: dict[str, Any]) -> str | None:
    """The thread a button was clicked in, as reply_in_thread names it (team:channel:thread_ts): colleagues in
    the thread saw the answer and may rate it. Slack signs the body, so the container is Slack's word."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    thread = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
    team = (body.get("team") or {}).get("id") or body.get("team_id")
    return f"{team}:{channel}:{thread}" if channel and thread and team else None


def _user_id(body: dict[str, Any]) -> str:
    team = (body.get("team") or {}).get("id") or body.get("team_id")
    return f"{team}:{(body.get('user') or {}).get('id')}"
