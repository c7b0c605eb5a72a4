"""Make a synthetic history in the `webcare import` format (docs/API.md): citizens' questions on one channel,
replies in opening hours, hand-offs and feedback, follow-up questions and resolutions. Deterministic (seeded;
the generator is `webcare.demo_history.generate`, which also gives a new demo its past).

    .venv/bin/python bench/history.py --tickets 300 --days 45 --channel gemeente-mastodon \\
        --agents anna@gemeente.nl,piet@gemeente.nl --feedback AFV=bob@gemeente.nl,OW=olga@gemeente.nl > history.ndjson

Used by docs/screenshots/make_screenshots.py; any tool can feed the same format to `webcare import`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from webcare.demo_history import ZONE, generate


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
