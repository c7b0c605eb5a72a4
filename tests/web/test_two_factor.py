"""Two-factor login (TOTP): enrolment, login with a code, replay refused, recovery codes, required roles."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import segno
from sqlalchemy import select

from tests import factories as f
from webcare.app import create_app
from webcare.errors import Unauthorized
from webcare.models import AuditEntry, LoginAttempt, User
from webcare.runtime import Runtime
from webcare.services import two_factor


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code for now (0) or the next 30-second step (1); both are inside the accepted window."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def actions(session, user) -> list[str]:
    return session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == user.id)
                           .order_by(AuditEntry.id)).all()


@pytest.fixture
def agent(session):
    f.seeded(session)
    user = f.user(session, "agent", email="anouk@voorbeeldstad.nl")
    session.commit()
    return user


@pytest.fixture
def enrolled(session, agent):
    """The agent with 2FA on (enrolled through the service); returns (user, secret, recovery codes)."""
    secret = two_factor.start_enrolment(session, agent)
    codes = two_factor.confirm_enrolment(session, agent, code(secret))
    session.commit()
    return agent, secret, codes


@pytest.fixture
def strict_client(runtime):
    """A client of an app with the product default: 2FA required for admins and managers."""
    settings = runtime.settings.replace(two_factor_required_roles=("admin", "manager"))
    strict = Runtime(settings=settings, engine=runtime.engine, redis_override=runtime.redis)
    return create_app(runtime=strict).test_client()


def test_voluntary_enrolment_through_the_pages(client, session, agent):
    f.login(client, agent.email)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Inloggen in twee stappen instellen" in page
    client.post("/account/two-factor/start", data={"csrf_token": f.csrf_token(page)})
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'class="secret-key">([A-Z2-7]+)<', page).group(1)
    assert f"otpauth://totp/Webcare:anouk%40voorbeeldstad.nl?secret={secret}&amp;issuer=Webcare" in page
    qr = segno.make(f"otpauth://totp/Webcare:anouk%40voorbeeldstad.nl?secret={secret}&issuer=Webcare", error="m")
    assert re.search(r'<figure class="qr"[^>]*><svg [^>]*class="qr-code"', page)
    assert qr.svg_inline(scale=5, light="#fff", svgclass="qr-code") in page  # the link itself, to scan
    wrong = client.post("/account/two-factor/confirm", data={"csrf_token": f.csrf_token(page), "code": "000000"})
    assert wrong.status_code == 302
    done = client.post("/account/two-factor/confirm", data={"csrf_token": f.csrf_token(page), "code": code(secret)})
    assert done.status_code == 200
    shown = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>", done.get_data(as_text=True))
    assert len(shown) == 10
    session.expire_all()
    user = session.get(User, agent.id)
    assert user.totp_enabled and secret not in user.totp_secret_encrypted
    assert session.info["secrets"].decrypt(user.totp_secret_encrypted) == secret
    assert len(user.recovery_code_hashes) == 10 and not set(shown) & set(user.recovery_code_hashes)
    assert client.get("/").status_code == 200  # still logged in on this device
    assert actions(session, agent) == ["login", "two_factor.enabled"]


def test_login_needs_the_code_and_a_code_works_once(client, session, enrolled, runtime):
    user, secret, _codes = enrolled
    response = f.login(client, user.email)
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/").status_code == 302  # the password alone does not log in
    page = client.get("/login/two-factor").get_data(as_text=True)
    wrong = client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": "123456"})
    assert wrong.status_code == 401 and "Die code klopt niet" in wrong.get_data(as_text=True)
    assert session.scalar(select(LoginAttempt.success).order_by(LoginAttempt.id.desc()).limit(1)) is False
    next_code = code(secret, 1)
    ok = client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": next_code})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "login"))
    assert entry.data == {"two_factor": "totp"} and entry.actor_id == user.id

    replay = create_app(runtime=runtime).test_client()  # someone who saw the code over a shoulder
    f.login(replay, user.email)
    page = replay.get("/login/two-factor").get_data(as_text=True)
    assert replay.post("/login/two-factor", data={"csrf_token": f.csrf_token(page),
                                                  "code": next_code}).status_code == 401


def test_recovery_code_logs_in_once(client, session, enrolled):
    user, _secret, codes = enrolled
    f.login(client, user.email)
    page = client.get("/login/two-factor").get_data(as_text=True)
    ok = client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": codes[3].upper()})
    assert ok.status_code == 302
    assert "er zijn er nog 9" in client.get("/").get_data(as_text=True)
    session.expire_all()
    assert len(session.get(User, user.id).recovery_code_hashes) == 9
    assert actions(session, user)[-2:] == ["login", "two_factor.recovery_used"]
    client.post("/logout", data={"csrf_token": f.csrf_token(client.get("/").get_data(as_text=True))})
    f.login(client, user.email)
    page = client.get("/login/two-factor").get_data(as_text=True)
    again = client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": codes[3]})
    assert again.status_code == 401


def test_new_recovery_codes_replace_the_old_ones(client, session, enrolled):
    user, secret, old_codes = enrolled
    f.login(client, user.email)
    page = client.get("/login/two-factor").get_data(as_text=True)
    client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": old_codes[0]})
    page = client.get("/account/two-factor").get_data(as_text=True)
    made = client.post("/account/two-factor/recovery-codes",
                       data={"regen-csrf_token": f.csrf_token(page), "regen-code": code(secret, 1)})
    new_codes = re.findall(r"<code>([0-9a-f-]{19})</code>", made.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    session.expire_all()
    fresh = session.get(User, user.id)
    with pytest.raises(Unauthorized):
        two_factor.verify(session, fresh, old_codes[1])
    assert two_factor.verify(session, fresh, new_codes[0]) == "recovery"
    assert "two_factor.recovery_codes_regenerated" in actions(session, user)


def test_pending_login_expires(client, enrolled):
    user, secret, _codes = enrolled
    f.login(client, user.email)
    with client.session_transaction() as flask_session:
        pending = dict(flask_session["two_factor_pending"])
        pending["at"] -= 301
        flask_session["two_factor_pending"] = pending
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_code_step_is_throttled(client, enrolled, settings):
    user, secret, _codes = enrolled
    f.login(client, user.email)
    page = client.get("/login/two-factor").get_data(as_text=True)
    for _ in range(settings.login_max_failures):
        client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": "999999"})
    blocked = client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": code(secret, 1)})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


def test_agent_may_switch_off_with_a_code(client, session, enrolled):
    user, secret, codes = enrolled
    f.login(client, user.email)
    page = client.get("/login/two-factor").get_data(as_text=True)
    client.post("/login/two-factor", data={"csrf_token": f.csrf_token(page), "code": codes[0]})
    page = client.get("/account/two-factor").get_data(as_text=True)
    client.post("/account/two-factor/disable", data={"off-csrf_token": f.csrf_token(page), "off-code": "111111"})
    session.expire_all()
    assert session.get(User, user.id).totp_enabled
    client.post("/account/two-factor/disable", data={"off-csrf_token": f.csrf_token(page), "off-code": code(secret, 1)})
    session.expire_all()
    fresh = session.get(User, user.id)
    assert not fresh.totp_enabled and fresh.totp_secret_encrypted is None and fresh.recovery_code_hashes == []
    assert "two_factor.disabled" in actions(session, user)
    assert client.get("/").status_code == 200


def test_admins_are_sent_to_enrolment_until_enrolled(strict_client, session, cli):
    f.seeded(session)
    admin = f.user(session, "admin", email="beheer@voorbeeldstad.nl")
    session.commit()
    token = cli("create-token", admin.email).output.strip()
    client = strict_client
    assert f.login(client, admin.email).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/account/two-factor"
    assert client.get("/admin/audit").headers["Location"] == "/account/two-factor"
    assert client.get("/api/v1/departments").status_code == 403  # the browser session on the API
    assert client.get("/api/v1/departments", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    basic = client.get("/api/v1/departments", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status_code == 401 and "Bearer" in basic.get_json()["error"]["message"]  # the header, not the session
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "verplicht" in page
    client.post("/account/two-factor/start", data={"csrf_token": f.csrf_token(page)})
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'class="secret-key">([A-Z2-7]+)<', page).group(1)
    client.post("/account/two-factor/confirm", data={"csrf_token": f.csrf_token(page), "code": code(secret)})
    assert client.get("/").status_code == 200
    assert client.get("/admin/audit").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "/account/two-factor/disable" not in page  # required: no way to switch it off


def test_agents_are_not_forced(strict_client, agent):
    f.login(strict_client, agent.email)
    assert strict_client.get("/").status_code == 200


def test_cli_reset(cli, session, enrolled):
    user, _secret, _codes = enrolled
    result = cli("two-factor", "reset", user.email)
    assert result.exit_code == 0 and '"two_factor": false' in result.output
    session.expire_all()
    assert not session.get(User, user.id).totp_enabled
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "two_factor.reset"))
    assert entry.target_id == str(user.id) and entry.user_agent == "cli"
    assert cli("two-factor", "reset", "nobody@voorbeeldstad.nl").exit_code == 2
