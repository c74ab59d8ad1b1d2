"""What a reviewer does to queue items: set a status, assign to the page owner, write a resolution note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant.db import Database
from assistant.errors import AssistantError, ErrorCode
from assistant.redaction import redact_optional
from assistant.review.directory import PageDirectory, Scope
from assistant.review.models import ReviewState
from assistant.review.queue import CLOSED, OFF_TOPIC, STATUSES, QueueFilters, ReviewItem, load_items
from assistant.review.storage import stored

MAX_BULK = 500
MAX_NOTE = 4000
MAX_ASSIGNEE = 200  # the column's width


@dataclass(frozen=True)
class ReviewChange:
    """Fields left as None are not changed. `assign_to_owner` assigns each item to its page's owner contact."""

    status: str | None = None
    assignee: str | None = None
    assign_to_owner: bool = False
    resolution_note: str | None = None

    def validate(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise AssistantError(ErrorCode.INVALID_INPUT, f"status must be one of: {', '.join(STATUSES)}")
        if self.resolution_note is not None and len(self.resolution_note) > MAX_NOTE:
            raise AssistantError(ErrorCode.INVALID_INPUT, f"the note is longer than {MAX_NOTE} characters")
        if self == ReviewChange():
            raise AssistantError(ErrorCode.INVALID_INPUT, "nothing to change")


def find_items(database: Database, item_ids: Sequence[str], directory: PageDirectory, scope: Scope) -> list[ReviewItem]:
    """The items by id; an id that does not exist, or that this reviewer may not see, is a 404."""
    with database.session() as session:
        items = load_items(session, QueueFilters(), directory, scope, ids=item_ids)
    missing = sorted(set(item_ids) - {i.id for i in items})
    if missing:
        raise AssistantError(ErrorCode.NOT_FOUND, f"no review item you can see: {', '.join(missing[:5])}")
    return items


def change_items(
    database: Database,
    item_ids: Sequence[str],
    change: ReviewChange,
    user_id: str,
    directory: PageDirectory,
    scope: Scope,
) -> list[ReviewItem]:
    """Apply one change to every item, all or nothing, and return the items as they now are."""
    change.validate()
    ids = list(dict.fromkeys(item_ids))
    if not ids or len(ids) > MAX_BULK:
        raise AssistantError(ErrorCode.INVALID_INPUT, f"choose between 1 and {MAX_BULK} items")
    now = dt.datetime.now(dt.UTC)
    with stored("the change could not be saved; please try again"):
        items = find_items(database, ids, directory, scope)
        with database.session() as session:
            _save(session, items, change, user_id, now, owner_contacts(directory))
    return find_items(database, ids, directory, scope)


def owner_contacts(directory: PageDirectory) -> set[str]:
    """The page owners' contact addresses: published in the guidance itself, so an assignee may name them."""
    return {entry.page.owner.contact for entry in directory.pages.values() if entry.page.owner.contact}


def _save(
    session: Session,
    items: list[ReviewItem],
    change: ReviewChange,
    user_id: str,
    now: dt.datetime,
    contacts: set[str],
) -> None:
    for item in items:
        state = session.get(ReviewState, (item.kind, item.source_id))
        if state is None:
            state = ReviewState(kind=item.kind, source_id=item.source_id, status="new")
            session.add(state)
        _apply(state, item, change, contacts)
        state.updated_at, state.updated_by = now, user_id
        if state.status in CLOSED and item.status not in CLOSED:
            state.resolved_at = now
        elif state.status not in CLOSED:
            state.resolved_at = None


def _apply(state: ReviewState, item: ReviewItem, change: ReviewChange, contacts: set[str]) -> None:
    """Staff write free text too: notes and assignees are redacted like questions (a page owner's published
    contact address is kept, so assigning to the owner by address still works)."""
    if change.status is not None:
        state.status = change.status
    if change.resolution_note is not None:
        state.resolution_note = redact_optional(change.resolution_note.strip() or None)
    if change.assign_to_owner:
        if not item.owner_contact:
            raise AssistantError(ErrorCode.INVALID_INPUT, f"{item.id} has no page owner to assign it to")
        state.assignee = item.owner_contact
    elif change.assignee is not None:
        assignee = redact_optional(change.assignee.strip() or None, keep=contacts)
        state.assignee = assignee[:MAX_ASSIGNEE] if assignee else None  # labels can be longer than numbers
    if state.status in CLOSED and state.status != OFF_TOPIC and not state.resolution_note:
        raise AssistantError(
            ErrorCode.INVALID_INPUT,
            "write a resolution note when an item is done or rejected (what was done, or why not)",
            key="error.resolution_note_required",
        )
