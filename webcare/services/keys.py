"""Re-encrypting stored secrets with the current (first) encryption key after a key rotation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.crypto import SecretBox
from webcare.models import Channel, User


def rotate_secrets(session: Session, box: SecretBox) -> dict[str, int]:
    """Re-encrypt every channel credential and TOTP secret with the first key; return the counts."""
    channels = 0
    for channel in session.scalars(select(Channel).where(Channel.credentials_encrypted.is_not(None))):
        channel.credentials_encrypted = box.rotate(channel.credentials_encrypted)
        channels += 1
    users = 0
    for user in session.scalars(select(User).where(User.totp_secret_encrypted.is_not(None))):
        user.totp_secret_encrypted = box.rotate(user.totp_secret_encrypted)
        users += 1
    return {"channels": channels, "totp_secrets": users}
