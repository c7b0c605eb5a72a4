"""Routing benchmark: messages per second evaluated by one core, for 10 to 5,000 keyword rules.

    .venv/bin/python bench/routing.py [--messages 50000] [--seed 7]

Throughput is measured in CPU time of the process (one core), best of five rounds. Rules are
synthetic but shaped like real ones: 3-8 keywords each (whole words, phrases, `x*` and `*x`
wildcards), a quarter combined with a second keyword group or a platform/kind condition, 2 % with a
regular expression. Messages are about 200 characters of ordinary Dutch with on average one or two
rule keywords in them. Also times the default Dutch rule set on the labelled test messages.
Reports; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import string
import time
from datetime import UTC, datetime
from pathlib import Path

from webcare.services.routing.decision import RouteInput
from webcare.services.routing.engine import Catalog, CategoryInfo, DepartmentInfo, RuleSet, RuleSpec

FILLER = ["de", "het", "een", "en", "van", "ik", "je", "u", "we", "is", "niet", "dat", "die", "er", "op", "in", "met", "voor", "naar", "bij", "nog", "al", "weer", "ook", "maar", "wel", "kan", "wordt", "heeft", "zijn", "mijn", "onze", "hier", "daar", "staat", "ligt", "sinds", "graag", "gemeente", "straat", "weken", "dagen", "al", "vanochtend", "gisteren", "buurt", "hoek", "bij", "school", "echt", "heel", "erg", "vervelend", "kunnen", "jullie", "iets", "doen", "aan", "melding", "gedaan", "niemand", "komt", "kijken", "alweer", "hoe", "lang", "nog", "dank", "alvast", "groet"]
PLATFORMS = ("x", "facebook", "instagram", "mastodon", "bluesky")
KINDS = ("mention", "comment", "dm")


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 11)))


def make_rules(n: int, rng: random.Random, pool: list[str]) -> list[RuleSpec]:
    rules = []
    for i in range(n):
        words = rng.sample(pool, rng.randint(3, 8))
        terms = [w if r < .7 else (w + "*" if r < .8 else ("*" + w if r < .9 else f"{w} {rng.choice(FILLER)}"))
                 for w, r in ((w, rng.random()) for w in words)]
        condition: dict = {"words": terms}
        roll = rng.random()
        if roll < .1:
            condition = {"all": [condition, {"words": rng.sample(pool, 3)}]}
        elif roll < .2:
            condition = {"all": [condition, {"platform": [rng.choice(PLATFORMS)]}]}
        elif roll < .25:
            condition = {"all": [condition, {"kind": [rng.choice(KINDS)]}]}
        elif roll < .27:
            condition = {"all": [condition, {"regex": rf"\b{rng.choice(words)}\w*\s+\d+"}]}
        rules.append(RuleSpec(i + 1, f"rule {i + 1}", condition,
                              {"category": "c", "department": "D", "priority": rng.choice(("high", "normal"))},
                              continue_matching=rng.random() < .05))
    return rules


def make_messages(n: int, rng: random.Random, keywords: list[str]) -> list[RouteInput]:
    messages = []
    for _ in range(n):
        words = [rng.choice(FILLER) for _ in range(34)]
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            words.insert(rng.randrange(len(words)), rng.choice(keywords).capitalize())
        messages.append(RouteInput(text=" ".join(words)[:220] + "!", platform=rng.choice(PLATFORMS),
                                   kind=rng.choice(KINDS)))
    return messages


def catalog() -> Catalog:
    return Catalog({"c": CategoryInfo(1, "c", "C", "D")}, {"D": DepartmentInfo(1, "D", "D"),
                                                           "KCC": DepartmentInfo(2, "KCC", "KCC")}, {})


def rate(ruleset: RuleSet, messages: list[RouteInput], rounds: int = 5) -> float:
    """Messages per CPU second of this process (best of `rounds`): per core, and robust to a busy machine."""
    best = 0.0
    for _ in range(rounds):
        start = time.process_time()
        for item in messages:
            ruleset.decide(item)
        best = max(best, len(messages) / (time.process_time() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = list(dict.fromkeys(pseudo_word(rng) for _ in range(60_000)))
    print(f"# routing benchmark, {datetime.now(UTC):%Y-%m-%d}, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {args.messages} messages")
    results = {}
    for n in (10, 100, 1000, 5000):
        rules = make_rules(n, rng, pool)
        start = time.perf_counter()
        ruleset = RuleSet(rules, catalog())
        compile_ms = (time.perf_counter() - start) * 1000
        keywords = [w for r in rules for w in _words(r.conditions)]
        messages = make_messages(args.messages, rng, keywords)
        results[n] = rate(ruleset, messages)
        matched = sum(1 for m in messages[:5000] if ruleset.decide(m).rule_id) / min(5000, len(messages))
        print(f"{n:>5} rules: {results[n]:>9,.0f} msg/s  ({1e6 / results[n]:.1f} µs/msg, compile {compile_ms:,.0f} ms, "
              f"{ruleset.matcher.term_count} terms, {matched:.0%} of messages match a rule)")
    print(f"10 -> 1,000 rules: {results[10] / results[1000]:.2f}x slower")
    _default_rules()


def _words(condition: dict) -> list[str]:
    if "words" in condition:
        return [w.strip("*").split(" ")[0] for w in condition["words"]]
    return [w for child in condition.get("all", []) for w in _words(child)]


def _default_rules() -> None:
    from webcare.services.routing import default_rules

    data = Path(__file__).resolve().parent.parent / "tests" / "data" / "routing_labelled.jsonl"
    if not data.exists():
        return
    cat = default_rules.offline_catalog()
    ruleset = RuleSet([RuleSpec(i, r["name"], r["conditions"], r["actions"], r.get("continue_matching", False))
                       for i, r in enumerate(default_rules.all_rules(), 1)], cat)
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    messages = [RouteInput(text=r["text"], platform=r["platform"], kind=r["kind"]) for r in rows] * 100
    print(f"default Dutch rule set ({len(ruleset.rules)} rules, {ruleset.matcher.term_count} terms) on the "
          f"labelled messages: {rate(ruleset, messages):,.0f} msg/s")


if __name__ == "__main__":
    main()
