"""How well the default rules generalise: held-out messages written after the rules, and threat look-alikes.

- `routing_holdout.jsonl` (305), `routing_holdout2.jsonl` (164), `routing_holdout3.jsonl` (123): realistic
  citizen messages written without looking at the rules. Each was measured once before any rule was
  changed for it (numbers in docs/ROUTING.md); later rule changes used their misses, so today they guard
  against regressions. Bars: 85 % of departments, every threat flagged, at most 2 % false threat flags.
- `routing_tuning.jsonl` (246): the scratch rounds used to find gaps; reported, with looser threat bars.
- `routing_threat_negatives.jsonl` (178): everyday sentences with threat-like words; none may be flagged.

Each test prints its accuracy, the misses and the false flags.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest

from tests import factories as f
from tests.conftest import DATA_DIR
from webcare.services import routing

DEPARTMENT_BAR = 0.85
FALSE_FLAG_BAR = 0.02


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Score:
    messages: int = 0
    right: int = 0
    threats: int = 0
    flagged: int = 0
    false_flags: int = 0
    per_department: Counter = field(default_factory=Counter)
    right_per_department: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / max(1, sum(self.per_department.values()))

    @property
    def recall(self) -> float:
        return self.flagged / self.threats if self.threats else 1.0

    @property
    def false_flag_rate(self) -> float:
        return self.false_flags / max(1, self.messages - self.threats)

    def report(self, name: str) -> str:
        routed = sum(self.per_department.values())
        head = (f"\n{name}: " + (f"{self.accuracy:.1%} of {routed} departments right; " if routed else
                                 f"{self.messages} messages; ")
                + f"threats flagged {self.flagged}/{self.threats}; false threat flags {self.false_flags}")
        per = "  " + ", ".join(f"{d} {self.right_per_department[d]}/{n}" for d, n in sorted(self.per_department.items()))
        return "\n".join([head, per, *self.misses])


def score(session, rows: list[dict]) -> Score:
    result = Score()
    for row in rows:
        decision = routing.decide(session, routing.RouteInput(
            text=row["text"], platform=row.get("platform", ""), kind=row.get("kind", "mention"),
            visibility="private" if row.get("kind") == "dm" else "public"))
        result.messages += 1
        result.threats += row["threat"]
        result.flagged += row["threat"] and decision.threat
        if decision.threat and not row["threat"]:
            result.false_flags += 1
            result.misses.append(f"  FALSE THREAT FLAG: {row['text'][:100]}")
        if row["threat"] and not decision.threat:
            result.misses.append(f"  THREAT NOT FLAGGED: {row['text'][:100]}")
        if "department" in row:
            result.per_department[row["department"]] += 1
            if decision.department == row["department"]:
                result.right += 1
                result.right_per_department[row["department"]] += 1
            else:
                result.misses.append(f"  {row['department']:>4} -> {decision.department:<4} {row['text'][:90]}")
    return result


@pytest.fixture
def seeded(session):
    f.seeded(session)
    session.commit()
    return session


@pytest.mark.parametrize(("name", "size", "threats"), [
    ("routing_holdout.jsonl", 250, 40),
    ("routing_holdout2.jsonl", 150, 25),
    ("routing_holdout3.jsonl", 120, 25),
])
def test_held_out_sets_are_broad(name, size, threats):
    rows = load(name)
    assert len(rows) >= size
    assert sum(row["threat"] for row in rows) >= threats
    assert {row["department"] for row in rows} >= {"KCC", "OW", "VER", "GRN", "AFV", "RIO", "OVL", "HH", "VTH", "DIER",
                                                   "VB"}
    assert {row["kind"] for row in rows} == {"mention", "comment", "dm"}
    assert all(set(row) == {"text", "platform", "kind", "department", "threat"} for row in rows)


@pytest.mark.parametrize("name", ["routing_holdout.jsonl", "routing_holdout2.jsonl", "routing_holdout3.jsonl"])
def test_default_rules_route_held_out_messages(seeded, capsys, name):
    result = score(seeded, load(name))
    with capsys.disabled():
        print(result.report(name))
    assert result.accuracy >= DEPARTMENT_BAR
    assert result.flagged == result.threats
    assert result.false_flag_rate <= FALSE_FLAG_BAR


def test_default_rules_on_the_tuning_rounds(seeded, capsys):
    result = score(seeded, load("routing_tuning.jsonl"))
    with capsys.disabled():
        print(result.report("routing_tuning.jsonl"))
    assert result.accuracy >= 0.90
    assert result.recall >= 0.95  # two veiled threats are still missed, see docs/ROUTING.md
    assert result.false_flag_rate <= FALSE_FLAG_BAR


def test_threat_look_alikes_are_not_flagged(seeded, capsys):
    rows = load("routing_threat_negatives.jsonl")
    result = score(seeded, rows)
    with capsys.disabled():
        print(result.report("routing_threat_negatives.jsonl"))
    assert len(rows) >= 100
    assert result.false_flags == 0
