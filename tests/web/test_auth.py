"""Login, logout, wrong password, throttling, CSRF, safe redirects and cookie flags."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def agent(session):
    f.seeded(session)
    user = f.user(session, "agent", email="anouk@voorbeeldstad.nl")
    session.commit()
    return user


def test_login_and_logout(client, agent):
    response = f.login(client, agent.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "anouk" in home.get_data(as_text=True)
    token = f.csrf_token(home.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_wrong_password(client, agent):
    response = f.login(client, agent.email, "not the password")
    assert response.status_code == 401
    assert "Onbekend e-mailadres of verkeerd wachtwoord" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_same_answer(client, agent):
    response = f.login(client, "nobody@voorbeeldstad.nl", "whatever-password")
    assert response.status_code == 401


def test_inactive_user_cannot_log_in(client, session, agent):
    agent.active = False
    session.commit()
    assert f.login(client, agent.email).status_code == 401


def test_throttling_after_failures(client, agent, settings):
    for _ in range(settings.login_max_failures):
        assert f.login(client, agent.email, "wrong-password!").status_code == 401
    blocked = f.login(client, agent.email)  # even the right password is refused for now
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Te veel mislukte pogingen" in blocked.get_data(as_text=True)


def test_login_form_needs_csrf_token(client, agent):
    response = client.post("/login", data={"email": agent.email, "password": f.PASSWORD})
    assert response.status_code == 400


def test_logout_needs_post_with_csrf(client, agent):
    f.login(client, agent.email)
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={})  # no token: refused, still logged in
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_no_open_redirect_after_login(client, agent, target):
    page = client.get("/login")
    token = f.csrf_token(page.get_data(as_text=True))
    response = client.post(f"/login?next={target}", data={"email": agent.email, "password": f.PASSWORD,
                                                          "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(client, agent):
    page = client.get("/login")
    token = f.csrf_token(page.get_data(as_text=True))
    response = client.post("/login?next=/tickets/5", data={"email": agent.email, "password": f.PASSWORD,
                                                           "csrf_token": token})
    assert response.headers["Location"] == "/tickets/5"


def test_session_id_changes_at_login(client, agent):
    client.get("/login")
    before = client.get_cookie("webcare_session")
    f.login(client, agent.email)
    after = client.get_cookie("webcare_session")
    assert before is not None and after is not None
    assert before.value != after.value


def test_cookie_flags(client, agent):
    response = f.login(client, agent.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("webcare_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_dutch_by_default_english_on_request(client, agent):
    assert "Inloggen bij Webcare" in client.get("/login").get_data(as_text=True)
    page = client.get("/login")
    token = f.csrf_token(page.get_data(as_text=True))
    client.post("/language/en?next=/login", data={"csrf_token": token})
    assert "Log in to Webcare" in client.get("/login").get_data(as_text=True)


def test_password_change_ends_other_sessions(client, session, agent):
    from webcare.services.users import set_password

    f.login(client, agent.email)
    assert client.get("/").status_code == 200
    set_password(session.merge(agent), "a brand new password")
    session.commit()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(("next_", "lands"), [
    ("/tickets/404/reply", "/tickets/404"),  # a page shown in answer to a POST (a held reply)
    ("/tickets/404?tab=x", "/tickets/404?tab=x"), ("/inbox?view=mine", "/inbox?view=mine"), ("/logout", "/"),
])
def test_language_switch_lands_on_a_page_that_can_be_fetched(client, next_, lands):
    token = f.csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/language/en", query_string={"next": next_}, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == lands
