"""Categories (main and sub) with their department and handling target (afhandeltermijn)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.db import Base, utcnow
from webcare.models.department import Department

HANDLING_UNITS = ("working_days", "calendar_days")


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("handling_unit IN ('working_days', 'calendar_days')", name="handling_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    handling_target: Mapped[int | None] = mapped_column()
    handling_unit: Mapped[str] = mapped_column(String(16), default="working_days")
    first_response_business_minutes: Mapped[int | None] = mapped_column()
    default_priority: Mapped[str | None] = mapped_column(String(8))
    promise_text: Mapped[str | None] = mapped_column(Text)
    retention_days: Mapped[int | None] = mapped_column()
    is_threat: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()
    parent: Mapped[Category | None] = relationship(remote_side="Category.id")

    def __repr__(self) -> str:
        return f"<Category {self.code}>"
