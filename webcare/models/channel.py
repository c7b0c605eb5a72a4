"""Channels: one connected platform account, with encrypted credentials, cursor state and health."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webcare.db import Base, utcnow

PLATFORMS = ("mastodon", "x", "facebook", "instagram", "bluesky", "linkedin", "tiktok")


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    handle: Mapped[str] = mapped_column(String(255), default="")
    base_url: Mapped[str | None] = mapped_column(String(1024))
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(default=True)
    poll_interval_seconds: Mapped[int] = mapped_column(default=60)
    cursor: Mapped[dict] = mapped_column(default=dict)
    last_polled_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)  # the platform's own words
    last_error_kind: Mapped[str | None] = mapped_column(String(16))  # PlatformError.kind: what it means
    last_error_at: Mapped[datetime | None] = mapped_column()
    rate_limited_until: Mapped[datetime | None] = mapped_column()
    needs_reauth: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Channel {self.id} {self.platform} {self.name}>"
