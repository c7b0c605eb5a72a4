"""Two-factor login with TOTP (RFC 6238, `pyotp`) and one-time recovery codes.

- The TOTP secret is stored encrypted (`crypto.SecretBox`, `session.info["secrets"]`); it is shown once,
  as a manual key and an otpauth:// URI, while enrolling.
- Enrolment: `start_enrolment` stores a new secret (not yet active); `confirm_enrolment` checks a code
  from the app, turns 2FA on and returns ten recovery codes (shown once; only their SHA-256 is stored).
- Login: `verify(session, user, code)` accepts a current TOTP code (one step of clock drift either way)
  or an unused recovery code, which is then used up. A TOTP code is accepted once: the time step is
  claimed in Redis, so a code seen over someone's shoulder cannot be replayed within its 90 seconds.
- Required for the roles in `settings.two_factor_required_roles` (default admin, manager).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from pyotp.exceptions import OTPVerificationError
from sqlalchemy.orm import Session

from webcare.config import Settings
from webcare.crypto import SecretBox
from webcare.db import utcnow
from webcare.errors import Conflict, Unauthorized, ValidationFailed
from webcare.models import LoginAttempt, User
from webcare.passwords import new_session_token
from webcare.queue import broker_for
from webcare.services.users import ThrottlePolicy, check_throttle

ISSUER = "Webcare"
RECOVERY_CODE_COUNT = 10
REPLAY_SECONDS = 120


def is_required(user: User, settings: Settings) -> bool:
    return user.role in settings.two_factor_required_roles


def needs_enrolment(user: User, settings: Settings) -> bool:
    return is_required(user, settings) and not user.totp_enabled


def start_enrolment(session: Session, user: User) -> str:
    """Store a fresh secret for `user` (not active until confirmed) and return it."""
    if user.totp_enabled:
        raise Conflict("two-factor login is already on for this account")
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = _box(session).encrypt(secret)
    return secret


def pending_secret(session: Session, user: User) -> str | None:
    """The secret of an enrolment that was started but not confirmed, to show it again."""
    if user.totp_enabled or not user.totp_secret_encrypted:
        return None
    return _box(session).decrypt(user.totp_secret_encrypted)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def confirm_enrolment(session: Session, user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turn two-factor login on after a valid code; return the recovery codes (shown once)."""
    secret = pending_secret(session, user)
    if secret is None:
        raise Conflict("start the set-up first")
    if not _check_totp(session, user, secret, code, now):
        raise ValidationFailed("that code is not right; check the time on your phone and try again",
                               fields={"code": "invalid"})
    user.totp_enabled = True
    user.session_token = new_session_token()  # other sessions of this account end
    return new_recovery_codes(user)


def verify(session: Session, user: User, code: str, now: datetime | None = None) -> str:
    """Check a login code: returns "totp" or "recovery"; raises Unauthorized when it is wrong."""
    if not user.totp_enabled or not user.totp_secret_encrypted:
        raise Unauthorized("two-factor login is not on for this account")
    cleaned = _normalise(code)
    if cleaned.isdigit() and len(cleaned) == 6:
        if _check_totp(session, user, _box(session).decrypt(user.totp_secret_encrypted), cleaned, now):
            return "totp"
    elif _use_recovery_code(user, cleaned):
        return "recovery"
    raise Unauthorized("the code is not right")


def verify_login(session: Session, user: User, code: str, ip: str, policy: ThrottlePolicy,
                 now: datetime | None = None) -> str:
    """The second login step: throttled like passwords, and a wrong code counts as a failed login."""
    check_throttle(session, user.email, ip, policy)
    try:
        return verify(session, user, code, now)
    except Unauthorized:
        session.add(LoginAttempt(email=user.email, ip=ip[:45], success=False))
        raise


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them formatted (xxxx-xxxx-xxxx-xxxx)."""
    codes = [secrets.token_hex(8) for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_code_hashes = [_hash(code) for code in codes]
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def disable(session: Session, user: User, settings: Settings) -> None:
    if is_required(user, settings):
        raise Conflict("two-factor login is required for your role and cannot be switched off")
    reset(user)


def reset(user: User) -> None:
    """Switch two-factor login off and forget the secret and codes (an administrator's reset too)."""
    user.totp_enabled = False
    user.totp_secret_encrypted = None
    user.recovery_code_hashes = []
    user.session_token = new_session_token()


def _check_totp(session: Session, user: User, secret: str, code: str, now: datetime | None) -> bool:
    code = _normalise(code)
    if not (code.isdigit() and len(code) == 6):
        return False
    try:
        step = pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now or utcnow(), valid_window=1)
    except OTPVerificationError:
        return False
    return _claim_step(session, user, step)


def _claim_step(session: Session, user: User, step: int) -> bool:
    """True the first time this user's code for this time step is used; False for a replay."""
    key = f"webcare:totp-used:{user.id}:{step}"
    return bool(broker_for(session).redis.set(key, 1, nx=True, ex=REPLAY_SECONDS))


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != 16:
        return False
    digest = _hash(code)
    remaining = [h for h in user.recovery_code_hashes if not hmac.compare_digest(h, digest)]
    if len(remaining) == len(user.recovery_code_hashes):
        return False
    user.recovery_code_hashes = remaining
    return True


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _box(session: Session) -> SecretBox:
    box = session.info.get("secrets")
    if box is None:
        raise RuntimeError("this session has no secret box; create it from the runtime's session factory")
    return box
