"""Password hashing (argon2id) and API token generation; tokens are stored as SHA-256 only."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
TOKEN_PREFIX = "wc_"
MIN_PASSWORD_LENGTH = 10
# Rows of keys and digits that people type as a password ("1234567890", "qwertyuiop"), either way round.
_RUNS = ("01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop")
_WORDS = ("wachtwoord", "password", "welkom", "webcare", "gemeente")


def too_simple(password: str, email: str) -> bool:
    """Guessed at once though long enough: one or two characters repeated, the user's own e-mail address or
    its name part, a run of keys or digits, or little more than a word every list of passwords starts with."""
    text = password.lower()
    name = email.lower().split("@")[0]
    if len(set(text)) < 3 or text in (email.lower(), name):
        return True
    if any(text in run or text in run[::-1] for run in _RUNS):
        return True
    rest = text
    for word in _WORDS:
        rest = rest.replace(word, "")
    return rest != text and len(rest) < 5 and not any(c.isalpha() for c in rest)  # "Wachtwoord123", "Welkom!"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _hasher.hash(password)  # same cost whether or not the account exists
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_token() -> str:
    return secrets.token_hex(24)
