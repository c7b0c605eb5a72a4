"""Canned responses as the webcare team maintains them: the texts the reply composer offers.

A canned response has a title, a text with the fields `{naam}` (the citizen), `{afdeling}` (the ticket's
department) and `{termijn}` (the promised or handling term) that the composer fills in, an optional
category (offered on that category's tickets and its subcategories'; none: on every ticket), a language
and an active flag (inactive: kept, not offered). Another field or a stray brace is refused, so a citizen
never reads `{naaam}`. Every change returns what changed, for the audit log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from webcare.errors import NotFound, ValidationFailed
from webcare.models import CannedResponse, Category
from webcare.services.text_fields import check_fields

FIELDS = ("naam", "afdeling", "termijn")
LANGUAGES = ("nl", "en")
MAX_TEXT = 2000


def list_all(session: Session) -> list[CannedResponse]:
    """Every canned response: the general ones first, then per category; by title."""
    rows = session.scalars(select(CannedResponse).outerjoin(Category, CannedResponse.category_id == Category.id)
                           .options(contains_eager(CannedResponse.category))
                           .order_by(Category.code.is_not(None), Category.code, CannedResponse.title))
    return list(rows)


def get(session: Session, canned_id: int) -> CannedResponse:
    record = session.get(CannedResponse, canned_id)
    if record is None:
        raise NotFound(f"canned response {canned_id} not found")
    return record


def save(session: Session, record: CannedResponse | None, *, title: str, text: str, category_code: str | None,
         language: str, active: bool) -> tuple[CannedResponse, dict]:
    """Create (`record` None) or change a canned response; returns it and {field: [old, new]} of the changes."""
    values = {"title": _title(title), "text": check_text(text), "category_id": _category_id(session, category_code),
              "language": _language(language), "active": bool(active)}
    if record is None:
        record = CannedResponse()
        session.add(record)
    changes = {key: [getattr(record, key), value] for key, value in values.items() if getattr(record, key) != value}
    for key, value in values.items():
        setattr(record, key, value)
    session.flush()
    return record, changes


def delete(session: Session, record: CannedResponse) -> dict:
    """Remove a canned response (replies sent with it keep their own text); returns what it was."""
    gone = {"title": record.title, "category_id": record.category_id, "language": record.language}
    session.delete(record)
    session.flush()
    return gone


def check_text(text: str | None) -> str:
    """The text stripped; refuses an empty or too long text, unknown fields and unbalanced braces."""
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed(f"the text is 1 to {MAX_TEXT} characters", fields={"text": "length"})
    return check_fields(text, FIELDS, form_field="text", code_prefix="canned")


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ValidationFailed("the title is 1 to 120 characters", fields={"title": "length"})
    return title


def _category_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    category_id = session.scalar(select(Category.id).where(Category.code == code))
    if category_id is None:
        raise ValidationFailed(f"unknown category {code}", fields={"category": code})
    return category_id


def _language(language: str | None) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed(f"the language is one of {', '.join(LANGUAGES)}", fields={"language": language})
    return language
