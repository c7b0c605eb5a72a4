"""SLA policies: response targets in business minutes and feedback targets in working days.

A ticket copies the targets of the active policy when it is created (`Ticket.sla_targets`), so a
policy change applies to new tickets only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webcare.db import Base, utcnow


class SlaPolicy(Base):
    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id"))
    first_response_dm_minutes: Mapped[int] = mapped_column(default=60)
    first_response_public_minutes: Mapped[int] = mapped_column(default=240)
    next_response_dm_minutes: Mapped[int] = mapped_column(default=60)
    next_response_public_minutes: Mapped[int] = mapped_column(default=240)
    department_feedback_working_days: Mapped[int] = mapped_column(default=1)
    at_risk_percent: Mapped[int] = mapped_column(default=80)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
