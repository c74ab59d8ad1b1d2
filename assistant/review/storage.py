"""Writes that must not fail quietly: any storage error becomes an AssistantError the user sees."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from assistant.errors import AssistantError, ErrorCode


@contextmanager
def stored(message: str) -> Iterator[None]:
    """Wrap a unit of work: our own errors pass through, a conflict is 409, anything else a 503 with `message`."""
    try:
        yield
    except AssistantError:
        raise
    except IntegrityError as err:
        raise AssistantError(
            ErrorCode.CONFLICT,
            "someone else changed this at the same time; reload and retry",
            key="error.concurrent_change",
        ) from err
    except Exception as err:  # the user must learn that nothing was saved
        raise AssistantError(ErrorCode.STORAGE_ERROR, message) from err
