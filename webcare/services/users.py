"""Staff accounts: creation, authentication with throttling, and API tokens.

Deactivating an account ends it for good: its sessions end and its API tokens are revoked (each with a
`token.revoke` entry in the audit log), so reactivating it gives back neither; the person logs in again and
gets new tokens (`webcare create-token`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from webcare.db import utcnow
from webcare.errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from webcare.models import ApiToken, Department, LoginAttempt, User
from webcare.models.user import ROLES
from webcare.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    hash_token,
    new_api_token,
    new_session_token,
    too_simple,
    verify_password,
)
from webcare.services import audit

# The shape of an e-mail address, for the CLI and the admin forms alike: one @, something on both sides, a dot
# in the domain, no spaces.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window_seconds: int


def create_user(
    session: Session,
    email: str,
    role: str,
    *,
    password: str | None = None,
    name: str = "",
    department_codes: list[str] | tuple[str, ...] = (),
) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; use one of {', '.join(ROLES)}", fields={"role": role})
    check_length(name, User.name, "name")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} already exists", fields={"email": email}, code="email_taken")
    departments = departments_by_code(session, department_codes)
    if role == "department" and not departments:
        raise ValidationFailed("a department user needs at least one --department", fields={"department": ""},
                               code="department_required")
    check_active(departments)
    user = User(email=email, name=name, role=role, session_token=new_session_token(), departments=departments)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


def normalise_email(email: str) -> str:
    """The address in lower case; ValidationFailed unless it has the shape of one (`EMAIL_PATTERN`) and fits."""
    email = email_key(email)
    check_length(email, User.email, "the e-mail address")
    if not re.match(EMAIL_PATTERN, email):
        raise ValidationFailed(f"not an e-mail address: {email!r}", fields={"email": email})
    return email


def email_key(email: str) -> str:
    """How an address is looked up: as stored, in lower case (an account made before the shape was checked
    can still be named)."""
    return email.strip().lower()


def check_length(value: str, column: Any, what: str) -> None:
    """ValidationFailed when `value` is longer than the String `column` (e.g. `User.email`) can hold."""
    limit = column.type.length
    if limit is not None and len(value) > limit:
        raise ValidationFailed(f"{what} is longer than {limit} characters ({len(value)})",
                               fields={column.key: f"at most {limit} characters"})


def departments_by_code(session: Session, codes) -> list[Department]:
    """The departments with these codes (case-insensitive), each once, in the order given."""
    codes = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not codes:
        return []
    found = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(f"unknown department code(s): {', '.join(missing)}", fields={"department": missing},
                               code="unknown_department")
    return [found[c] for c in codes]


def check_active(departments: list[Department], kept=()) -> None:
    """ValidationFailed when a department is switched off, unless the user is in it already (`kept`): nobody
    joins a department that receives no tickets, and editing a member of one does not take it away."""
    inactive = [d.code for d in departments if not d.active and d not in kept]
    if inactive:
        raise ValidationFailed(f"department(s) switched off: {', '.join(inactive)}", fields={"department": inactive},
                               code="unknown_department")


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"the password must be at least {MIN_PASSWORD_LENGTH} characters",
                               fields={"password": "too short"})
    if too_simple(password, user.email or ""):
        raise ValidationFailed("the password is too easy to guess: not one or two characters repeated, not the "
                               "e-mail address, not a row of keys or digits", fields={"password": "too simple"},
                               code="password_too_simple")
    user.password_hash = hash_password(password)
    end_sessions(user)


def authenticate(session: Session, email: str, password: str, ip: str, policy: ThrottlePolicy) -> User:
    """Return the active user for these credentials, or raise; every attempt is recorded."""
    email = email.strip().lower()
    check_throttle(session, email, ip, policy)
    user = session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    session.add(LoginAttempt(email=email[:254], ip=ip[:45], success=ok))
    if not ok:
        raise Unauthorized("unknown e-mail address or wrong password")
    user.last_login_at = utcnow()
    return user


def check_throttle(session: Session, email: str, ip: str, policy: ThrottlePolicy) -> None:
    since = utcnow() - timedelta(seconds=policy.window_seconds)
    failures = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    by_email = session.scalar(failures.where(LoginAttempt.email == email)) or 0
    by_ip = session.scalar(failures.where(LoginAttempt.ip == ip)) or 0
    if by_email >= policy.max_failures or by_ip >= policy.max_failures * 4:
        raise TooManyRequests("too many failed logins; try again later", retry_after=policy.window_seconds)


def create_api_token(session: Session, email: str, name: str = "") -> tuple[ApiToken, str]:
    """A new token for an active user (a deactivated user's token would be refused at once, 401)."""
    user = user_by_email(session, email)
    if not user.active:
        raise Conflict(f"the user {user.email} is deactivated; activate the account first",
                       fields={"email": user.email}, code="user_inactive")
    check_length(name, ApiToken.name, "the token's name")
    token = new_api_token()
    record = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:10])
    session.add(record)
    session.flush()
    return record, token


def user_for_token(session: Session, token: str) -> User | None:
    record = session.scalar(select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.departments))
                            .where(ApiToken.token_hash == hash_token(token)))
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        _touch_token(session, record.id, now)
    return record.user


def _touch_token(session: Session, token_id: int, now) -> None:
    """Record the token's use in its own short transaction.

    Setting it on the request's session would hold a row lock on the token until the request ends (and a
    GET never commits, so it was never saved): concurrent requests with one token then ran one at a time.
    """
    stale = now - timedelta(minutes=5)
    with session.get_bind().connect() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == token_id, or_(
            ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale)).values(last_used_at=now))
        connection.commit()


def revoke_api_token(session: Session, token_id: int, user: User | None = None) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None or (user is not None and user.role != "admin" and record.user_id != user.id):
        raise NotFound(f"no API token {token_id}")
    record.revoked_at = record.revoked_at or utcnow()
    return record


def end_access(session: Session, user: User, acting: User | None = None) -> list[ApiToken]:
    """End what a deactivated account could still use: its sessions, and its API tokens for good (revoked in
    the database, one `token.revoke` audit entry each by `acting`): reactivating the account gives back neither.
    Return the tokens revoked now."""
    end_sessions(user)
    now = utcnow()
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                  .order_by(ApiToken.id)))
    for token in tokens:
        token.revoked_at = now
        audit.record(session, acting, "token.revoke", target=("api_token", token.id),
                     data={"reason": "user_deactivated", "user": user.id})
    return tokens


def end_sessions(user: User) -> None:
    """End every session of `user` on the server side: the cookies carry the old session token."""
    user.session_token = new_session_token()


def user_by_session_token(session: Session, session_token: str) -> User | None:
    # one round trip per request: the departments come in the same query (scoping needs them on every page)
    user = session.scalars(select(User).options(joinedload(User.departments))
                           .where(User.session_token == session_token)).unique().one_or_none()
    return user if user is not None and user.active else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def update_user(session: Session, user: User, *, name: str, role: str, department_codes, active: bool,
                acting: User | None = None) -> dict:
    """Change a user's name, role, departments and active flag; return what changed (for the audit log)."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}", fields={"role": role})
    departments = departments_by_code(session, department_codes)
    if role == "department" and not departments:
        raise ValidationFailed("a department user needs at least one department", fields={"department": ""},
                               code="department_required")
    check_active(departments, kept=user.departments)
    if acting is not None and acting.id == user.id and (not active or role != "admin"):
        raise Conflict("you cannot deactivate yourself or take away your own admin role", code="own_admin_role")
    before = {"name": user.name, "role": user.role, "active": user.active,
              "departments": sorted(d.code for d in user.departments)}
    user.name, user.role, user.active, user.departments = name.strip(), role, active, departments
    if not active:
        end_access(session, user, acting)
    after = {"name": user.name, "role": role, "active": active, "departments": sorted(d.code for d in departments)}
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email_key(email)))
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def token_id_for(session: Session, id_or_prefix: str) -> int:
    """The id of the token given by its id or its (unique) prefix."""
    text = id_or_prefix.strip()
    if text.isdigit():
        return int(text)
    ids = list(session.scalars(select(ApiToken.id).where(ApiToken.prefix == text[:10]))) if len(text) >= 10 else []
    if len(ids) != 1:
        raise NotFound(f"no single token with id or prefix {text!r}; see `webcare list-tokens EMAIL`")
    return ids[0]


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))
