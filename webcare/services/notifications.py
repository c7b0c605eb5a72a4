"""In-app notifications (the bell): one row per recipient, announced in realtime after commit.

Use `notify(session, users, kind, text, ticket=...)` for people, or `notify_department(...)` for all
active members of a department. E-mail delivery (when SMTP is configured) is added on top of these rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from rq import Retry
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Department, Notification, Ticket, User
from webcare.queue import enqueue_after_commit, publish_after_commit
from webcare.services.access import visible_tickets

EMAIL_JOB = "workers.mail.send_notification_emails"


def notify(session: Session, users: Iterable[User], kind: str, text: str, *,
           ticket: Ticket | None = None, email: bool = False) -> list[Notification]:
    """Bell rows for `users` (active ones, once each); with `email=True` also an e-mail each after commit,
    when SMTP is configured (settings `smtp_host`)."""
    if session.info.get("replaying_history"):  # `webcare import`: nobody is told about the past again
        return []
    created = []
    for user in {u.id: u for u in users if u.active}.values():
        note = Notification(user_id=user.id, ticket_id=ticket.id if ticket else None, kind=kind, text=text)
        session.add(note)
        created.append(note)
    if created:
        session.flush()
        publish_after_commit(session, {"type": "notification", "user_ids": [n.user_id for n in created],
                                       "ticket_id": ticket.id if ticket else None, "kind": kind})
        settings = session.info.get("settings")
        if email and settings is not None and settings.smtp_host:
            enqueue_after_commit(session, EMAIL_JOB, [n.id for n in created], retry=Retry(max=3, interval=[30, 120, 600]))
    return created


def department_members(session: Session, department_id: int) -> list[User]:
    department = session.get(Department, department_id)
    if department is None:
        return []
    return list(session.scalars(select(User).where(User.departments.contains(department), User.active.is_(True))))


def notify_department(session: Session, department_id: int, kind: str, text: str, *,
                      ticket: Ticket | None = None, email: bool = False) -> list[Notification]:
    return notify(session, department_members(session, department_id), kind, text, ticket=ticket, email=email)


# --- reading the bell ---------------------------------------------------------------------------

def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def latest(session: Session, user: User, limit: int = 100) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)))


def tickets_in_sight(session: Session, user: User, items: Iterable[Notification]) -> set[int]:
    """The ids of the notifications' tickets that `user` can still open (one sent back to webcare, say, is
    no longer a department member's: its link would be a 404)."""
    ids = {n.ticket_id for n in items if n.ticket_id is not None}
    if not ids:
        return set()
    return set(session.scalars(visible_tickets(user, select(Ticket.id)).where(Ticket.id.in_(ids))))


def mark_read(session: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` read; returns how many."""
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    return session.execute(statement.values(read_at=utcnow())).rowcount


# --- e-mail -------------------------------------------------------------------------------------

def claim_for_email(session: Session, notification_ids: list[int]) -> list[tuple[Notification, User]]:
    """Mark the not yet e-mailed rows as e-mailed and return them: a second run finds nothing to send."""
    claimed = []
    for notification_id in notification_ids:
        won = session.execute(update(Notification).where(Notification.id == notification_id,
                                                          Notification.emailed_at.is_(None))
                              .values(emailed_at=utcnow())).rowcount
        if won:
            note = session.get(Notification, notification_id)
            claimed.append((note, session.get(User, note.user_id)))
    return claimed


def release_email(session: Session, notification_ids: list[int]) -> None:
    """Undo a claim whose sending failed, so that the retry sends them."""
    session.execute(update(Notification).where(Notification.id.in_(notification_ids)).values(emailed_at=None))
