"""A demo's past: two months of conversations on the demo channel, so a new demo's dashboards have figures.

`generate()` makes a deterministic (seeded) history in the `webcare import` format (docs/API.md): citizens'
questions, replies in opening hours, hand-offs and feedback, follow-up questions and resolutions.
`import_demo_history()` imports one through the import's own path (`history_import.import_lines`: routing,
SLA clocks and metric facts as if live, nothing sent) when the demo channel has no tickets yet; `webcare run`
(with its demo feed) and `webcare demo` call it. bench/history.py and the README's screenshots use `generate`.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webcare.calendar import Calendar
from webcare.demo_feed import CHANNEL_NAME, load_corpus
from webcare.models import Channel, Ticket
from webcare.services import channels, history_import
from webcare.services.history_import import Transaction

DEMO_TICKETS = 400
DEMO_DAYS = 60
DEMO_SETTLED_AFTER_DAYS = 14  # older demo tickets are all answered and resolved
DEMO_AGENTS = ["agent@voorbeeldstad.nl"]
DEMO_FEEDBACK = {"OW": "ow@voorbeeldstad.nl", "AFV": "afval@voorbeeldstad.nl"}

ZONE = ZoneInfo("Europe/Amsterdam")
TEXTS = [  # (text, kind): routed by the default rules to various departments
    ("Er ligt al dagen zwerfvuil naast de glasbak", "mention"),
    ("De container in onze straat is vol", "mention"),
    ("De lantaarnpaal voor ons huis is kapot", "comment"),
    ("Er zit een groot gat in het fietspad", "mention"),
    ("Wanneer wordt het gras in het park gemaaid?", "comment"),
    ("Hoe laat is het gemeentehuis open?", "mention"),
    ("De put op de hoek is verstopt, de straat staat blank", "mention"),
    ("Er staat al weken een fietswrak tegen het hek", "dm"),
    ("Mijn vraag over de parkeervergunning", "dm"),
    ("Ratten bij de speeltuin", "comment"),
]


def _in_hours(calendar: Calendar, moment: datetime, rng: random.Random) -> datetime:
    """Work happens in opening hours: a moment outside them moves to the next opening (plus a little)."""
    if calendar.is_open(moment):
        return moment
    return calendar.next_opening(moment) + timedelta(minutes=rng.randrange(5, 90))


def generate(tickets: int, days: int, end: datetime, channel: str, agents: list[str],
             feedback: dict[str, str], seed: int = 7, texts: list[tuple[str, str]] = TEXTS,
             settled_after_days: int | None = None) -> list[dict]:
    """The history's lines in time order. Some tickets stay unanswered or open; with `settled_after_days`,
    only the ones younger than that (a team that keeps up: no backlog of months)."""
    rng, calendar, lines = random.Random(seed), Calendar(), []
    start = end - timedelta(days=days)
    settled_before = end - timedelta(days=settled_after_days) if settled_after_days is not None else start
    for n in range(tickets):
        created = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        settled = created < settled_before
        text, kind = rng.choice(texts)
        thread, agent = f"hist-{n}", rng.choice(agents)
        visibility = "private" if kind == "dm" else "public"
        lines.append({"type": "message", "channel": channel, "external_id": f"hist-{n}-1", "thread": thread,
                      "kind": kind, "visibility": visibility, "author": f"@burger{rng.randrange(10_000)}@social.example",
                      "text": text, "at": created})
        if not settled and rng.random() < 0.06:  # never answered (yet)
            continue
        at = _in_hours(calendar, created + timedelta(minutes=rng.expovariate(1 / 110)), rng)
        lines.append({"type": "reply", "thread": thread, "text": "Dank voor uw bericht, we gaan ermee aan de slag.",
                      "visibility": visibility, "agent": agent, "at": at})
        if rng.random() < 0.25:
            asked = at + timedelta(hours=rng.uniform(1, 30))
            lines.append({"type": "message", "channel": channel, "external_id": f"hist-{n}-2", "thread": thread,
                          "kind": kind, "visibility": visibility, "author": lines[-2]["author"],
                          "text": "Is er al nieuws?", "at": asked})
            at = _in_hours(calendar, asked + timedelta(minutes=rng.expovariate(1 / 150)), rng)
            lines.append({"type": "reply", "thread": thread, "text": "We verwachten snel nieuws.",
                          "visibility": visibility, "agent": agent, "at": at})
        if feedback and rng.random() < 0.35:
            department, member = rng.choice(sorted(feedback.items()))
            at = _in_hours(calendar, at + timedelta(minutes=rng.randrange(5, 120)), rng)
            lines.append({"type": "handoff", "thread": thread, "department": department, "agent": agent,
                          "question": "Kunnen jullie dit oppakken?", "at": at})
            at = _in_hours(calendar, at + timedelta(hours=rng.expovariate(1 / 7)), rng)
            lines.append({"type": "feedback", "thread": thread, "department": department, "agent": member,
                          "text": "Staat ingepland.", "at": at})
        if settled or rng.random() < 0.85:
            at = _in_hours(calendar, at + timedelta(hours=rng.expovariate(1 / 20)), rng)
            lines.append({"type": "status", "thread": thread, "status": "resolved", "text": "Opgelost",
                          "agent": agent, "at": at})
    lines = [line for line in lines if line["at"] <= end]
    lines.sort(key=lambda line: line["at"])
    return [{**line, "at": line["at"].astimezone(ZONE).isoformat()} for line in lines]


def corpus_texts() -> list[tuple[str, str]]:
    """(text, kind) of the demo corpus's first messages, threats left out (the safety team would be told
    about the past week's)."""
    return [(row["text"], row["kind"]) for row in load_corpus() if not row.get("reply_to") and not row.get("threat")]


def import_demo_history(transaction: Transaction, now: datetime | None = None) -> dict | None:
    """Import a demo history unless the demo channel has tickets already; the import's counts, or None.

    The channel is made here when it is missing, disabled and without a server: the demo feed points it at
    its own server and enables it (`demo_feed.ensure_demo_channel`)."""
    with transaction() as session:
        channel = session.scalar(select(Channel).where(Channel.name == CHANNEL_NAME))
        if channel is None:
            channel = channels.create_channel(session, platform="mastodon", name=CHANNEL_NAME,
                                              base_url="http://127.0.0.1:9", token="demo-feed-not-started")
            channel.enabled = False
        elif session.scalar(select(Ticket.id).where(Ticket.channel_id == channel.id).limit(1)) is not None:
            return None
    end = (now or datetime.now(ZONE)).astimezone(ZONE).replace(microsecond=0)
    lines = generate(DEMO_TICKETS, DEMO_DAYS, end, CHANNEL_NAME, DEMO_AGENTS, DEMO_FEEDBACK, texts=corpus_texts(),
                     settled_after_days=DEMO_SETTLED_AFTER_DAYS)
    parsed = history_import.parse(json.dumps(line, ensure_ascii=False) for line in lines)
    return history_import.import_lines(transaction, parsed)
