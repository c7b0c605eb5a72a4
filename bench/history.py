"""Make a synthetic history in the `webcare import` format (docs/API.md): citizens' questions on one channel,
replies in opening hours, hand-offs and feedback, follow-up questions and resolutions. Deterministic (seeded).

    .venv/bin/python bench/history.py --tickets 300 --days 45 --channel gemeente-mastodon \\
        --agents anna@gemeente.nl,piet@gemeente.nl --feedback AFV=bob@gemeente.nl,OW=olga@gemeente.nl > history.ndjson

Used by docs/screenshots/make_screenshots.py; any tool can feed the same format to `webcare import`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from webcare.calendar import Calendar

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
             feedback: dict[str, str], seed: int = 7) -> list[dict]:
    rng, calendar, lines = random.Random(seed), Calendar(), []
    start = end - timedelta(days=days)
    for n in range(tickets):
        created = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        text, kind = rng.choice(TEXTS)
        thread, agent = f"hist-{n}", rng.choice(agents)
        visibility = "private" if kind == "dm" else "public"
        lines.append({"type": "message", "channel": channel, "external_id": f"hist-{n}-1", "thread": thread,
                      "kind": kind, "visibility": visibility, "author": f"@burger{rng.randrange(10_000)}@social.example",
                      "text": text, "at": created})
        if rng.random() < 0.06:  # never answered (yet)
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
        if rng.random() < 0.85:
            at = _in_hours(calendar, at + timedelta(hours=rng.expovariate(1 / 20)), rng)
            lines.append({"type": "status", "thread": thread, "status": "resolved", "text": "Opgelost",
                          "agent": agent, "at": at})
    lines = [line for line in lines if line["at"] <= end]
    lines.sort(key=lambda line: line["at"])
    return [{**line, "at": line["at"].astimezone(ZONE).isoformat()} for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--channel", default="gemeente-mastodon")
    parser.add_argument("--agents", default="anna@gemeente.nl")
    parser.add_argument("--feedback", default="", help="CODE=email,... the department members who give feedback")
    args = parser.parse_args()
    feedback = dict(item.split("=", 1) for item in args.feedback.split(",") if item)
    end = datetime.now(ZONE).replace(microsecond=0)
    for line in generate(args.tickets, args.days, end, args.channel, args.agents.split(","), feedback):
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
