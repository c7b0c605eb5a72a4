"""What routing looks at (RouteInput) and what it decides (RouteDecision)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RouteInput:
    """What routing may look at; built from a message (live or simulated)."""

    text: str
    platform: str = ""
    channel_id: int | None = None
    kind: str = "mention"
    visibility: str = "public"
    author: str = ""
    language: str | None = None
    at: datetime | None = None
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteDecision:
    category: str | None = None
    department: str | None = None
    priority: str = "normal"
    labels: tuple[str, ...] = ()
    threat: bool = False
    assignee: str | None = None
    auto_ack: bool = False
    rule_id: int | None = None
    rule: str | None = None
    matched_rules: tuple[str, ...] = field(default_factory=tuple)
    category_id: int | None = None
    department_id: int | None = None
    assignee_id: int | None = None

    def to_dict(self) -> dict:
        """The simulator's JSON (`webcare route`, `POST /api/v1/route-preview`)."""
        return {"rule": self.rule, "rule_id": self.rule_id, "category": self.category,
                "department": self.department, "priority": self.priority, "labels": list(self.labels),
                "threat": self.threat, "assignee": self.assignee, "auto_ack": self.auto_ack,
                "matched_rules": list(self.matched_rules)}
