"""Secrets at rest: encrypted with the configured key, rotatable with `webcare keys rotate`."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from tests import factories as f
from webcare.crypto import DecryptionFailed, SecretBox
from webcare.runtime import build_runtime


def test_keys_new_prints_a_fernet_key(cli):
    key = cli("keys", "new").output.strip()
    Fernet(key.encode())  # a valid key


def test_rotate_re_encrypts_with_the_new_key(cli, session, settings):
    old_box = SecretBox(settings.encryption_keys)
    channel = f.channel(session, credentials_encrypted=old_box.encrypt_json({"access_token": "geheim"}))
    user = f.user(session, "admin")
    user.totp_secret_encrypted = old_box.encrypt("JBSWY3DPEHPK3PXP")
    session.commit()

    new_key = Fernet.generate_key().decode()
    rotated = settings.replace(encryption_keys=(new_key, *settings.encryption_keys))
    runtime = build_runtime(rotated)
    try:
        from click.testing import CliRunner

        from webcare.cli import Context, main

        ctx = Context()
        ctx._settings, ctx._runtime = rotated, runtime
        result = CliRunner().invoke(main, ["keys", "rotate"], obj=ctx, catch_exceptions=False)
    finally:
        runtime.dispose()
    assert json.loads(result.output)["rotated"] == {"channels": 1, "totp_secrets": 1}

    session.expire_all()
    only_new = SecretBox((new_key,))
    assert only_new.decrypt_json(session.get(type(channel), channel.id).credentials_encrypted) == \
        {"access_token": "geheim"}
    assert only_new.decrypt(session.get(type(user), user.id).totp_secret_encrypted) == "JBSWY3DPEHPK3PXP"


def test_wrong_key_is_a_clear_error(settings):
    token = SecretBox(settings.encryption_keys).encrypt("x")
    with pytest.raises(DecryptionFailed):
        SecretBox((Fernet.generate_key().decode(),)).decrypt(token)
