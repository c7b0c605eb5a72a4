"""Encryption at rest for platform credentials and TOTP secrets (Fernet, rotatable).

The first key of `encryption_keys` encrypts; every key decrypts, so a new key can be put in front and
`webcare keys rotate` re-encrypts what is stored.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from webcare.errors import DomainError


class DecryptionFailed(DomainError):
    code = "decryption_failed"


class SecretBox:
    def __init__(self, keys: tuple[str, ...] | list[str]):
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionFailed("stored secret cannot be decrypted with the configured keys") from exc

    def encrypt_json(self, value: dict[str, Any]) -> str:
        return self.encrypt(json.dumps(value, sort_keys=True))

    def decrypt_json(self, token: str) -> dict[str, Any]:
        return json.loads(self.decrypt(token))

    def rotate(self, token: str) -> str:
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionFailed("stored secret cannot be decrypted with the configured keys") from exc


def new_key() -> str:
    return Fernet.generate_key().decode()
