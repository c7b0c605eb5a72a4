"""Housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from webcare.db import utcnow
from webcare.models import LoginAttempt
from workers.context import job_context

LOGIN_ATTEMPT_DAYS = 90


def purge_login_attempts() -> int:
    """Forget login attempts older than 90 days (they only serve throttling and short-term review)."""
    with job_context() as session:
        cutoff = utcnow() - timedelta(days=LOGIN_ATTEMPT_DAYS)
        return session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff)).rowcount
