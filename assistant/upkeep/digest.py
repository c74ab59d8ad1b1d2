"""Reminder digests: each subscribed owner gets the pages that are due for review, past it, or have open
feedback, by e-mail (a configured SMTP server) or in Slack (the bot token the Slack channel already uses).

Subscriptions (ASSISTANT_DIGEST_SUBSCRIPTIONS) map an owner unit or contact to `mailto:<address>` or
`slack:<channel or user id>`. `assistant digest` sends them; run it weekly from cron or a systemd timer.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from assistant.db import Database
from assistant.index import KnowledgeIndex
from assistant.messages import t
from assistant.settings import Settings
from assistant.upkeep.status import OwnerOverview, PageUpkeep, owner_overviews

log = logging.getLogger("assistant.digest")
SCHEMES = ("mailto:", "slack:")


class DigestError(Exception):
    """A digest could not be delivered; the message names the owner and the target."""


@dataclass(frozen=True)
class Digest:
    owner: str
    target: str
    pages: tuple[PageUpkeep, ...]

    def subject(self, language: str) -> str:
        return t("up_digest_subject", language, owner=self.owner)

    def text(self, language: str, base_url: str) -> str:
        lines = [t("up_digest_intro", language, owner=self.owner), ""]
        for item in self.pages:
            lines.append(
                "- "
                + t(
                    "up_digest_line",
                    language,
                    status=t(f"up_status_{item.status}", language),
                    title=item.page.title,
                    review_by=item.page.review_by.isoformat(),
                    when=_when(item.days_left, language),
                    open=item.open_feedback,
                )
                + f"\n  {base_url}/pages/{item.page.id}"
            )
        lines += ["", t("up_digest_footer", language, url=f"{base_url}/owners?owner={self.owner}")]
        return "\n".join(lines)


def _when(days: int, language: str) -> str:
    if days > 0:
        return t("up_days_left", language, days=days)
    return t("up_today", language) if days == 0 else t("up_days_ago", language, days=-days)


def needs_attention(item: PageUpkeep) -> bool:
    return item.status in ("red", "yellow") or item.open_feedback > 0


def build_digests(overviews: list[OwnerOverview], subscriptions: dict[str, str]) -> list[Digest]:
    """One digest per subscription whose owner (unit or contact) has pages that need attention."""
    digests = []
    for owner, target in sorted(subscriptions.items()):
        pages = tuple(
            item
            for overview in overviews
            if owner in (overview.unit, *overview.contacts)
            for item in overview.pages
            if needs_attention(item) and (owner == overview.unit or item.page.owner.contact == owner)
        )
        if pages:
            unit = next((o.unit for o in overviews if owner in (o.unit, *o.contacts)), owner)
            digests.append(Digest(unit, target, pages))
    return digests


def digests_for(index: KnowledgeIndex, database: Database | None, settings: Settings) -> list[Digest]:
    return build_digests(owner_overviews(index, database, dt.date.today()), settings.digest_subscriptions)


def deliver(digest: Digest, settings: Settings) -> None:
    """Send one digest. Raises DigestError naming the owner and target on any failure."""
    language, base_url = settings.language, settings.base_url()
    try:
        if digest.target.startswith("mailto:"):
            _send_mail(
                digest.target.removeprefix("mailto:"),
                digest.subject(language),
                digest.text(language, base_url),
                settings,
            )
        elif digest.target.startswith("slack:"):
            _send_slack(digest.target.removeprefix("slack:"), digest, language, base_url, settings)
        else:
            raise DigestError(f"unknown target {digest.target!r}; use {' or '.join(SCHEMES)}")
    except DigestError:
        raise
    except Exception as err:
        raise DigestError(f"{digest.owner} → {digest.target}: {type(err).__name__}: {err}") from err


def _send_mail(address: str, subject: str, body: str, settings: Settings) -> None:
    if not settings.smtp_host:
        raise DigestError("ASSISTANT_SMTP_HOST is not set; e-mail digests need an SMTP server")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def _send_slack(channel: str, digest: Digest, language: str, base_url: str, settings: Settings) -> None:
    from slack_sdk import WebClient

    if settings.slack_bot_token is None:
        raise DigestError("ASSISTANT_SLACK_BOT_TOKEN is not set; Slack digests use the Slack channel's bot")
    client = WebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)
    text = f"*{digest.subject(language)}*\n{digest.text(language, base_url)}"
    client.chat_postMessage(channel=channel, text=text, unfurl_links=False)
