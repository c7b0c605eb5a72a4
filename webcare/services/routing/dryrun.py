"""Dry run: how would a changed rule set have routed the tickets of the last 30 days?

Each ticket's first citizen message is routed twice, by the rules in force and by the proposed set;
a ticket "moves" when the department or the category differs. Nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Message, Ticket
from webcare.services.routing.decision import RouteInput
from webcare.services.routing.engine import RuleSet, RuleSpec
from webcare.services.routing.store import enabled_rules, load_catalog, load_ruleset

DEFAULT_DAYS = 30
LISTED = 200


@dataclass(frozen=True)
class Move:
    ticket_id: int
    subject: str
    created_at: datetime
    before_department: str | None
    after_department: str | None
    before_category: str | None
    after_category: str | None
    after_rule: str | None


@dataclass
class DryRunResult:
    days: int
    tickets: int = 0
    moved: int = 0
    moves: list[Move] = field(default_factory=list)  # the first LISTED, newest first
    flows: Counter = field(default_factory=Counter)  # (from department, to department) -> count
    broken: dict = field(default_factory=dict)  # rule id -> problem, for rules the proposed set skips


def proposed_rules(session: Session, draft: RuleSpec | None, *, enabled: bool = True,
                   position: int | None = None, remove_id: int | None = None) -> list[RuleSpec]:
    """The enabled rules with `draft` replacing the rule of the same id (or inserted at `position`)."""
    specs = [RuleSpec.of(rule) for rule in enabled_rules(session) if rule.id != remove_id]
    index = next((i for i, spec in enumerate(specs) if draft and spec.id == draft.id), None)
    if index is not None:
        specs.pop(index)
    if draft is not None and enabled:
        at = position - 1 if position else (index if index is not None else len(specs))
        specs.insert(max(0, min(at, len(specs))), draft)
    return specs


def dry_run(session: Session, specs: list[RuleSpec], *, days: int = DEFAULT_DAYS,
            now: datetime | None = None) -> DryRunResult:
    current = load_ruleset(session)
    proposed = RuleSet(specs, load_catalog(session), strict=False)
    result = DryRunResult(days=days, broken=proposed.broken)
    for row in _first_messages(session, (now or utcnow()) - timedelta(days=days)):
        item = RouteInput(text=row.text or "", platform=row.platform, channel_id=row.channel_id, kind=row.kind,
                          visibility=row.visibility, author=row.author_handle or "", language=row.language,
                          at=row.platform_created_at or row.received_at)
        before, after = current.decide(item), proposed.decide(item)
        result.tickets += 1
        if (before.department, before.category) == (after.department, after.category):
            continue
        result.moved += 1
        result.flows[(before.department, after.department)] += 1
        if len(result.moves) < LISTED:
            result.moves.append(Move(row.id, row.subject, row.created_at, before.department, after.department,
                                     before.category, after.category, after.rule))
    return result


def _first_messages(session: Session, since: datetime):
    first = (select(Message.ticket_id, func.min(Message.id).label("message_id"))
             .join(Ticket, Ticket.id == Message.ticket_id)
             .where(Message.direction == "in", Ticket.created_at >= since)
             .group_by(Message.ticket_id).subquery())
    statement = (select(Ticket.id, Ticket.subject, Ticket.created_at, Message.text, Message.platform,
                        Message.channel_id, Message.kind, Message.visibility, Message.author_handle, Message.language,
                        Message.platform_created_at, Message.received_at)
                 .join(first, first.c.ticket_id == Ticket.id).join(Message, Message.id == first.c.message_id)
                 .order_by(Ticket.id.desc()))
    return session.execute(statement.execution_options(yield_per=1000))
