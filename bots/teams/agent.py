"""The Teams agent: turns a Teams message into a question for the core, and the Answer into an Adaptive Card.

Built on the Microsoft 365 Agents SDK's AgentApplication. It answers in personal chat, and in channels and
group chats only when @mentioned (Teams delivers channel messages to a bot only then, but it checks anyway).
Follow-ups keep the conversation through channel_ref: the Teams conversation id, which in a channel names the
reply chain (";messageid=<root>"); a new top-level post gets the chain it starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import (
    AgentApplication,
    CardFactory,
    MemoryStorage,
    MessageFactory,
    TurnContext,
    TurnState,
)
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from assistant.core import Assistant
from assistant.db import ProcessedEvent
from assistant.errors import AssistantError, ErrorCode, as_assistant_error
from assistant.feedback import record_feedback
from assistant.settings import Settings
from bots.teams.cards import FEEDBACK_VERB, answer_to_card, text
from bots.teams.tokens import BotConnections

log = logging.getLogger("bots.teams")

CHANNEL = "teams"
MAX_CHANNEL_REF = 300  # Conversation.channel_ref column width
EVENT_MEMORY = dt.timedelta(days=1)  # the Bot Connector redelivers within minutes


def language_of(activity: Activity, default: str) -> str:
    """Teams sends the client's locale ("sv-SE", "en-US"); anything else falls back to the setting."""
    locale = (activity.locale or "").lower()
    return next((lang for lang in ("sv", "en") if locale.startswith(lang)), default)


def channel_ref_of(activity: Activity) -> str:
    """The conversation a follow-up continues: the Teams conversation id, plus the reply chain in a channel."""
    conversation_id = activity.conversation.id
    in_channel = activity.conversation.conversation_type == "channel"
    if in_channel and ";messageid=" not in conversation_id:
        conversation_id = f"{conversation_id};messageid={activity.reply_to_id or activity.id}"
    if len(conversation_id) > MAX_CHANNEL_REF:
        return "sha256:" + hashlib.sha256(conversation_id.encode()).hexdigest()
    return conversation_id


def user_of(activity: Activity) -> str | None:
    sender = activity.from_property
    if sender is None:
        return None
    return sender.aad_object_id or sender.id


def addressed_to_bot(activity: Activity) -> bool:
    """Personal chat always; a channel or group chat only when the bot is @mentioned."""
    if activity.conversation.conversation_type in (None, "personal"):
        return True
    bot_id = activity.recipient.id if activity.recipient else None
    return any(m.mentioned and m.mentioned.id == bot_id for m in activity.get_mentions())


class TeamsAgent:
    """The handlers, bound to the one answer core the rest of the server uses."""

    def __init__(self, settings: Settings, assistant: Assistant, connections: BotConnections):
        self.settings = settings
        self.assistant = assistant
        self.base_url = settings.base_url()
        # Nothing is kept in the SDK's turn state (the core stores conversations), so MemoryStorage stays empty.
        self.application: AgentApplication[TurnState] = AgentApplication[TurnState](
            storage=MemoryStorage(), connection_manager=connections, remove_recipient_mention=True
        )
        self.application.adaptive_card.action_submit(FEEDBACK_VERB)(self.on_feedback)
        self.application.activity(ActivityTypes.message)(self.on_message)
        self.application.error(self.on_error)

    async def on_message(self, context: TurnContext, _state: TurnState) -> None:
        """A question, with the bot's @mention already stripped by the SDK."""
        activity = context.activity
        if activity.value is not None or not addressed_to_bot(activity):
            return
        language = language_of(activity, self.settings.language)
        question = (activity.text or "").strip()
        if not question:
            await context.send_activity(text(language, "ask_something"))
            return
        if not await run_in_threadpool(self.first_delivery, activity):
            log.info("teams activity already handled", extra={"activity_id": activity.id})
            return
        try:
            answer = await run_in_threadpool(
                self.assistant.answer,
                question,
                channel=CHANNEL,
                user_id=user_of(activity),
                channel_ref=channel_ref_of(activity),
                language=language,
            )
        except Exception as err:
            known = as_assistant_error(err)  # e.g. no index published yet: the user hears why
            if known is None:
                raise
            await context.send_activity(text(language, "failed", message=known.text(language)))
            return
        card = answer_to_card(answer, self.base_url, language)
        await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    def first_delivery(self, activity: Activity) -> bool:
        """False for an activity already answered, by this or another replica: the Bot Connector retries a
        delivery that timed out, possibly to another server behind the load balancer. The activity id is
        kept in the shared database, like Slack's event ids."""
        database = self.assistant.database
        if database is None or not activity.id:
            return True
        key = f"teams:{activity.conversation.id}:{activity.id}"
        if len(key) > MAX_CHANNEL_REF:
            key = "teams:sha256:" + hashlib.sha256(key.encode()).hexdigest()
        cutoff = dt.datetime.now(dt.UTC) - EVENT_MEMORY
        try:
            with database.session() as session:
                session.execute(
                    delete(ProcessedEvent).where(ProcessedEvent.key.like("teams:%"), ProcessedEvent.created_at < cutoff)
                )
                session.add(ProcessedEvent(key=key))
        except IntegrityError:
            return False
        return True

    async def on_feedback(self, context: TurnContext, _state: TurnState, data: Any) -> None:
        """👍/👎 from a card; the user is told when it could not be stored."""
        language = language_of(context.activity, self.settings.language)
        values = data if isinstance(data, dict) else {}
        try:
            if self.assistant.database is None:
                raise AssistantError(
                    ErrorCode.STORAGE_ERROR, "this server does not store feedback", key="error.no_database"
                )
            await run_in_threadpool(
                record_feedback,
                self.assistant.database,
                str(values.get("answer_id", "")),
                str(values.get("rating", "")),
                reason=str(values.get("reason") or "") or None,
                comment=str(values.get("comment") or "").strip() or None,
                channel=CHANNEL,
                user_id=user_of(context.activity),
                seen_in=channel_ref_of(context.activity),  # colleagues in the same conversation saw it
            )
        except AssistantError as err:
            await context.send_activity(text(language, "not_saved", message=err.text(language)))
            return
        await context.send_activity(text(language, "thanks"))

    async def on_error(self, context: TurnContext, err: Exception) -> None:
        """Anything unexpected: logged with its trace, and the user gets a plain message, not the exception."""
        log.error("teams turn failed", exc_info=err)
        language = language_of(context.activity, self.settings.language)
        try:
            await context.send_activity(text(language, "internal"))
        except Exception:  # the reply path itself may be what failed; the log above has the cause
            log.warning("could not tell the Teams user about the failure")
