"""`webcare import`: replay a municipality's history from its previous tool through the live services.

Every line goes through the same code as live traffic, with its historic time: an inbound message through
`services.ingest.ingest_batch` (threading, routing, SLA clocks), a reply through `services.replies`
(queued, then accepted by the platform at `at`), hand-offs, feedback and status changes through the ticket
actions of the inbox. So the clocks, the metric facts and the dashboards have a past from day one.

- `parse()` checks every line before anything is stored (JSON, shape, known type, time order); a bad line is
  a `LineError` naming its number. A time in the future becomes the import's start (the ingest time), by
  the rule of live ingest (`db.effective_at`): a line is never dated after the moment it was imported.
- `Importer.apply()` applies one line in a savepoint: a line the services refuse leaves nothing behind.
- Idempotent: each applied line's SHA-256 goes into `imported_lines` (`import_ledger`: what the line says, not how
  it is written); a line found there, or repeated in the file, is skipped, so importing a file twice changes
  nothing (and a fixed file can be imported again to finish the job). So is a message whose external id its
  channel has already; a conflict (`warn`) when it differs.
- `import_lines(transaction, lines)` runs a whole import (the CLI's and the demo's): a transaction per chunk
  of lines (tried again after a collision with another import: `import_retry`), a savepoint per line, then
  the clocks of the touched tickets as they stand now, also when a refused line stopped it (the lines before stay).
- Nothing leaves the building: the session's broker is a `ReplayBroker` that drops the jobs and realtime
  events the services ask for (no reply is sent to a platform again, nobody is notified of the past).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import effective_at, lock_for_writing, utcnow
from webcare.errors import DomainError, NotFound, ValidationFailed
from webcare.models import Channel, Department, ImportedLine, Message, Ticket, User
from webcare.platforms.base import InboundMessage, SentReply
from webcare.schemas.history_import import LINE_SCHEMAS
from webcare.services import compose, department_actions, import_retry, ingest, replies, sla, ticket_actions
from webcare.services.import_ledger import already_imported, line_keys
from webcare.services.users import email_key
from webcare.storable import storable

CHUNK = 200  # lines per transaction; each line in its own savepoint
Transaction = Callable[[], AbstractContextManager[Session]]  # `runtime.transaction`
Warn = Callable[[str], None]


# The import format has no question for a hand-off (API.md); the history must still say what was asked.
IMPORTED_HANDOFF_QUESTION = "Overgedragen in het vorige systeem (geïmporteerd)"


class LineError(ValidationFailed):
    """A line that cannot be imported; `number` is its line number in the file (1-based)."""

    def __init__(self, number: int, message: str, fields: dict | None = None):
        super().__init__(f"line {number}: {message}", fields=fields)
        self.number = number


@dataclass(frozen=True)
class Line:
    number: int
    type: str
    data: dict
    key: str  # `import_ledger.line_keys`: what the line says
    legacy_key: str  # how it was written: the key ledgers of earlier versions hold


def parse(lines: Iterable[str | bytes], now: datetime | None = None) -> list[Line]:
    """Every non-blank line, checked for shape and time order; the first bad one raises LineError. `now` is the
    ingest time: a line's `at` after it falls back to it. Lines read as bytes must be UTF-8 text."""
    now = now or utcnow()
    parsed: list[Line] = []
    previous: datetime | None = None
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            raw = _decode(number, raw)
        if number == 1:
            raw = raw.removeprefix("\ufeff")  # UTF-8 with a byte order mark (Excel, Windows tools) is UTF-8 text
        if not raw.strip():
            continue
        line = _parse_line(number, raw, now)
        if previous is not None and line.data["at"] < previous:
            raise LineError(number, f"not in time order: {line.data['at'].isoformat()} is before the line above")
        previous = line.data["at"]
        parsed.append(line)
    return parsed


def _decode(number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (a UTF-16 file?)" if number == 1 and raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise LineError(number, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at position {exc.start + 1}{hint}; "
                                "save the file as UTF-8") from exc


def _parse_line(number: int, raw: str, now: datetime) -> Line:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(number, f"not valid JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise LineError(number, "a line must be a JSON object")
    obj = storable(obj)  # NUL and lone surrogates ("\ud800") become U+FFFD, as in live traffic
    kind = obj.get("type")
    schema = LINE_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise LineError(number, f"unknown type {str(kind)[:80]!r} (one of {', '.join(LINE_SCHEMAS)})")
    try:
        data = schema().load(obj)
    except ValidationError as exc:
        fields = exc.messages_dict
        first = next(iter(fields))
        raise LineError(number, f"{first}: {'; '.join(map(str, _flat(fields[first])))}", fields=fields) from exc
    key, legacy_key = line_keys(obj, data)  # before `at` moves: a future line keeps its key from run to run
    data["at"] = _import_time(number, data["at"], now)
    return Line(number, obj["type"], data, key, legacy_key)


def _import_time(number: int, at: datetime, now: datetime) -> datetime:
    """`at`, or `now` when it lies in the future (`db.effective_at`); a time that has no UTC equivalent
    (0001-01-01T00:00:00+01:00) cannot be stored: a LineError."""
    at = effective_at(at, now)
    try:
        at.astimezone(UTC)
    except OverflowError as exc:
        raise LineError(number, f"at: {at.isoformat()} is outside the dates that can be stored") from exc
    return at


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _flat(value) -> list:
    return value if isinstance(value, list) else [value]


class ImportStopped(ValidationFailed):
    """A line the services refused: the lines before it are imported, nothing of it is."""

    def __init__(self, error: LineError, imported: int):
        super().__init__(f"{error.message} (the {imported} lines before it were imported)", fields=error.fields)
        self.number = error.number


def import_lines(transaction: Transaction, lines: list[Line], warn: Warn | None = None) -> dict:
    """Import the lines not imported before, in time order; return counts. A line the services refuse raises
    `ImportStopped` (the chunks before it stay committed); a reference to an unknown channel, person or
    department raises `LineError` before anything is stored. `warn` hears of each conflict once its chunk is
    committed (a skipped message that differs from the stored one)."""
    broker = ReplayBroker()
    with _replaying(transaction, broker) as session:
        importer = Importer(session, broker)
        importer.check_references(lines)
        done = already_imported(session, lines)
    todo = _new_lines(lines, done)
    try:
        for start in range(0, len(todo), CHUNK):
            _apply_chunk(transaction, importer, todo[start:start + CHUNK], warn or (lambda _message: None))
    finally:  # also when a line is refused (`ImportStopped`): the tickets of the lines before it, as they are now
        import_retry.retrying(lambda: _recompute(transaction, importer), lambda: None, "the clocks of the tickets")
    return {"lines": len(lines), "skipped": len(lines) - len(todo) + importer.skipped,
            "conflicts": len(importer.conflicts), "imported": dict(importer.applied),
            "tickets": len(importer.touched), "not_sent": dict(broker.dropped)}


def _recompute(transaction: Transaction, importer: Importer) -> None:
    """The clocks as they stand now, after the replayed past."""
    with _replaying(transaction, importer.broker) as session:
        lock_for_writing(session)
        for ticket_id in sorted(importer.touched):
            sla.recompute(session, session.get(Ticket, ticket_id), utcnow())


def _new_lines(lines: list[Line], done: set[str]) -> list[Line]:
    """The lines not imported before nor repeated earlier in the file (skipped, as a second run skips them)."""
    seen = set(done)
    todo = []
    for line in lines:
        if line.key not in seen:
            seen.add(line.key)
            todo.append(line)
    return todo


@contextmanager
def _replaying(transaction: Transaction, broker: ReplayBroker) -> Iterator[Session]:
    with transaction() as session:
        session.info["broker"] = broker  # no job, no realtime event for the past
        session.info["replaying_history"] = True  # and no automatic acknowledgement (routing)
        yield session


def _apply_chunk(transaction: Transaction, importer: Importer, chunk: list[Line], warn: Warn) -> None:
    """One transaction, tried again when another import or ingest stored some of its lines at the same moment
    (`import_retry`); conflicts are reported once it is committed."""
    saved, reported = importer.counts(), len(importer.conflicts)
    failed = import_retry.retrying(lambda: _try_chunk(transaction, importer, chunk), lambda: importer.restore(saved),
                                   f"lines {chunk[0].number}-{chunk[-1].number}")
    for conflict in importer.conflicts[reported:]:
        warn(conflict)
    if failed is not None:  # the chunk's lines before it are committed above; nothing of this one
        raise ImportStopped(failed, sum(importer.applied.values()))


def _try_chunk(transaction: Transaction, importer: Importer, chunk: list[Line]) -> LineError | None:
    with _replaying(transaction, importer.broker) as session:
        lock_for_writing(session)
        importer.session = session
        done = already_imported(session, chunk)  # by another import since this one started
        importer.skipped += len(done)
        for line in chunk:
            try:
                if line.key not in done:
                    with session.begin_nested():
                        importer.apply(line)
            except LineError as exc:
                return exc  # the lines before it are committed; nothing of it
    return None


class ReplayBroker:
    """A broker for replayed history: the jobs and realtime events the services ask for are counted, not sent."""

    def __init__(self) -> None:
        self.dropped: Counter[str] = Counter()

    def enqueue_after_commit(self, session: Session, spec: Any) -> None:
        self.dropped[spec.func] += 1

    def publish_after_commit(self, session: Session, event: dict) -> None:
        self.dropped["realtime"] += 1

    def publish_many_after_commit(self, session: Session, events: list[dict]) -> None:
        self.dropped["realtime"] += len(events)


@dataclass
class Importer:
    """Applies lines in one session; remembers channels, people, departments and threads it has seen."""

    session: Session
    broker: ReplayBroker = field(default_factory=ReplayBroker)
    applied: Counter = field(default_factory=Counter)
    skipped: int = 0  # messages whose external id was stored already
    conflicts: list[str] = field(default_factory=list)  # ... with other content: one warning each
    touched: set[int] = field(default_factory=set)
    _threads: dict[str, int] = field(default_factory=dict)  # thread -> channel id

    def counts(self) -> tuple:
        return Counter(self.applied), self.skipped, len(self.conflicts), set(self.touched), Counter(self.broker.dropped)

    def restore(self, counts: tuple) -> None:
        """The counts as they were before a transaction that was rolled back."""
        applied, self.skipped, conflicts, touched, dropped = counts
        self.applied, self.touched, self.broker.dropped = Counter(applied), set(touched), Counter(dropped)
        del self.conflicts[conflicts:]

    def check_references(self, lines: list[Line]) -> None:
        """Every channel, person and department the file names exists (before anything is stored)."""
        for line in lines:
            data = line.data
            try:
                if line.type == "message":
                    self.channel(data["channel"])
                if data.get("agent"):
                    self.user(data["agent"])
                if line.type in ("handoff", "feedback"):
                    self.department(data["department"])
            except NotFound as exc:
                raise LineError(line.number, exc.message) from exc

    def apply(self, line: Line) -> int | None:
        """Apply one line through the live services; the id of the ticket it touched. A message whose external
        id the channel has already is skipped (counted; a conflict when its content differs): None."""
        data = line.data
        try:
            if line.type == "message":
                if self._stored_already(line):
                    self.skipped += 1
                    return None
                ticket_id = self._message(data)
            else:
                ticket = self.ticket(data["thread"])
                getattr(self, f"_{line.type}")(ticket, data, line)
                ticket_id = ticket.id
        except DomainError as exc:  # refused by a service (unknown thread, a move that is not allowed, ...)
            raise LineError(line.number, exc.message, fields=exc.fields) from exc
        self.session.add(ImportedLine(key=line.key, type=line.type, ticket_id=ticket_id))
        self.applied[line.type] += 1
        if ticket_id is not None:
            self.touched.add(ticket_id)
        return ticket_id

    # -- lines ---------------------------------------------------------------------------------------
    def _message(self, data: dict) -> int | None:
        channel = self.channel(data["channel"])
        self._threads.setdefault(data["thread"], channel.id)
        message = InboundMessage(
            external_id=data["external_id"], thread_key=data["thread"], kind=data["kind"],
            visibility=data["visibility"], text=data["text"], author_id=data["author"],
            author_handle=data["author"], author_name=data["author_name"], language=data["language"],
            created_at=data["at"], raw={"imported": True})
        result = ingest.ingest_batch(self.session, channel.id, [message], now=data["at"])
        if result.duplicates:  # stored since `_stored_already` looked: tried again (import_retry), then skipped
            raise ingest.ConcurrentIngest("the message was stored by another job meanwhile")
        return result.ticket_ids[0]

    def _stored_already(self, line: Line) -> bool:
        """The channel has a message with this external id (one a channel keeps); a conflict when it differs."""
        data, channel = line.data, self.channel(line.data["channel"])
        stored = self.session.scalar(select(Message).where(Message.channel_id == channel.id,
                                                           Message.external_id == data["external_id"]))
        if stored is None:
            return False
        differs = [name for name, mine, theirs in (
            ("thread", data["thread"], stored.thread_key), ("kind", data["kind"], stored.kind),
            ("visibility", data["visibility"], stored.visibility), ("author", data["author"][:255], stored.author_handle),
            ("text", data["text"], stored.text), ("at", data["at"], stored.platform_created_at)) if mine != theirs]
        if differs:
            self.conflicts.append(f"line {line.number}: message {data['external_id']!r} of channel {channel.name!r} is "
                                  f"stored already with another {_and(differs)}; this line is skipped")
        return True

    def _reply(self, ticket: Ticket, data: dict, line: Line) -> None:
        """Queued and accepted at `at`, as the delivery job records a reply the platform took; the ticket
        changes as it does for a live reply (claimed, in progress, the citizen's move)."""
        agent = self.user(data["agent"])
        message = replies.queue_reply(self.session, ticket, agent, data["text"], data["visibility"], at=data["at"],
                                      override_reason="sent before Webcare; imported from the previous tool")
        compose.after_reply(self.session, ticket, agent, data["at"])
        sent = SentReply(external_id=f"import-{line.key[:24]}", url=None, created_at=data["at"], raw={"imported": True})
        replies.record_delivery_success(self.session, message.id, sent, now=data["at"])

    def _handoff(self, ticket: Ticket, data: dict, line: Line) -> None:
        department_actions.handoff(self.session, ticket, self.user(data["agent"]),
                                   self.department(data["department"]).code,
                                   data["question"] or IMPORTED_HANDOFF_QUESTION, at=data["at"])

    def _feedback(self, ticket: Ticket, data: dict, line: Line) -> None:
        """Without `agent`: the department's first active member, or none (the department's, without a person)."""
        department = self.department(data["department"])
        actor = self.user(data["agent"]) if data["agent"] else self._member_of(department)
        if actor is not None:
            department_actions.give_feedback(self.session, ticket, actor, data["text"], at=data["at"])
            return
        if ticket.department_id != department.id:
            raise ValidationFailed(f"feedback from {department.code}, but the ticket is with "
                                   f"{ticket.department.code if ticket.department else 'no department'}")
        department_actions.record_feedback(self.session, ticket, None, data["text"], at=data["at"])

    def _status(self, ticket: Ticket, data: dict, line: Line) -> None:
        if data["status"] == "with_department":  # the workflow's own refusal names the API's hand-off endpoint
            raise ValidationFailed('a ticket moves to with_department by a "handoff" line (with the department)',
                                   fields={"status": ["use a handoff line"]})
        ticket_actions.change_status(self.session, ticket, self.user(data["agent"]), data["status"], data["text"],
                                     at=data["at"])

    # -- lookups -------------------------------------------------------------------------------------
    def channel(self, name: str) -> Channel:
        found = self.session.scalar(select(Channel).where(Channel.name == name))
        if found is None:
            raise NotFound(f"unknown channel {name!r} (add it first: webcare channels add)")
        return found

    def user(self, email: str) -> User:
        found = self.session.scalar(select(User).where(User.email == email_key(email)))
        if found is None:
            raise NotFound(f"unknown user {email!r} (create the account first: webcare create-user)")
        return found

    def department(self, code: str) -> Department:
        found = self.session.scalar(select(Department).where(Department.code == code.strip().upper()))
        if found is None:
            raise NotFound(f"unknown department {code!r}")
        return found

    def _member_of(self, department: Department) -> User | None:
        return self.session.scalar(select(User).where(User.active.is_(True), User.departments.contains(department))
                                   .order_by(User.id).limit(1))

    def ticket(self, thread: str) -> Ticket:
        """The latest ticket of a thread (a thread can have had several tickets over time)."""
        statement = select(Ticket).where(Ticket.thread_key == thread)
        if thread in self._threads:
            statement = statement.where(Ticket.channel_id == self._threads[thread])
        found = self.session.scalar(statement.order_by(Ticket.id.desc()).limit(1))
        if found is None:
            raise NotFound(f"unknown thread {thread!r}: a thread starts with a message line")
        return found
