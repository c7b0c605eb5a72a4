"""Business calendars: opening hours per weekday and extra closing days (holidays are computed)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.db import Base, utcnow

DEFAULT_OPENING_HOURS = {
    "mon": [["08:30", "17:00"]],
    "tue": [["08:30", "17:00"]],
    "wed": [["08:30", "17:00"]],
    "thu": [["08:30", "17:00"]],
    "fri": [["08:30", "17:00"]],
    "sat": [],
    "sun": [],
}


class BusinessCalendar(Base):
    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    opening_hours: Mapped[dict] = mapped_column(default=lambda: dict(DEFAULT_OPENING_HOURS))
    statutory_holidays: Mapped[bool] = mapped_column(default=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    closing_days: Mapped[list[ClosingDay]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="ClosingDay.day"
    )


class ClosingDay(Base):
    """An extra closed day: a bridge day from a royal decree, or the municipality's own."""

    __tablename__ = "closing_days"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="closing_days")
