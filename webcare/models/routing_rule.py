"""Routing rules: ordered data, first match wins unless a rule says `continue_matching`.

`conditions` is a tree of {"all": [...]} / {"any": [...]} nodes with leaf conditions such as
{"words": [...]}, {"regex": "..."}, {"platform": [...]}; `actions` sets category, department,
priority, labels, threat, assignee and auto-acknowledgement. The routing service validates both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webcare.db import Base, utcnow


class RoutingRule(Base):
    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_position", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    continue_matching: Mapped[bool] = mapped_column(default=False)
    conditions: Mapped[dict] = mapped_column(default=dict)
    actions: Mapped[dict] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
