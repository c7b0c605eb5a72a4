"""The ledger of `webcare import`: one row per history line applied, so importing a file again changes nothing.

`key` is the SHA-256 of what the line says (`services.import_ledger.line_keys`: its loaded fields, its time in UTC);
a line that is in the ledger, under that key or the key of how it was written (earlier versions), is skipped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webcare.db import Base, utcnow


class ImportedLine(Base):
    __tablename__ = "imported_lines"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
