"""Migration users_0001 revokes the API tokens of the accounts deactivated before deactivation did so itself,
and leaves the tokens of active accounts alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from webcare import migrate
from webcare.db import make_engine
from webcare.models import ApiToken
from webcare.services.users import create_api_token


def test_upgrade_revokes_the_tokens_of_deactivated_users_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate.upgrade(url, "privacy_0002")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            f.seeded(session)
            active, gone = f.user(session, "agent"), f.user(session, "agent")
            session.flush()
            for user in (active, gone):
                create_api_token(session, user.email, "script")
            gone.active = False  # as deactivation did before: the token stayed unrevoked
            session.commit()
            ids = {"active": active.id, "gone": gone.id}

        migrate.upgrade(url)

        with Session(engine) as session:
            revoked = {user_id: revoked_at for user_id, revoked_at in
                       session.execute(select(ApiToken.user_id, ApiToken.revoked_at))}
    finally:
        engine.dispose()
    assert revoked[ids["active"]] is None
    assert isinstance(revoked[ids["gone"]], datetime) and revoked[ids["gone"]].tzinfo is not None
