"""Administration of users and departments: admin only, validated, audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.errors import ValidationFailed
from webcare.models import ApiToken, AuditEntry, Department, User
from webcare.services import departments, users


@pytest.fixture
def admin(session):
    f.seeded(session)
    user = f.user(session, "admin")
    session.commit()
    return user


def _token(client, url: str) -> str:
    return f.csrf_token(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("role", ["agent", "manager", "department"])
def test_only_admins(client, session, role):
    f.seeded(session)
    user = f.user(session, role, ("OW",) if role == "department" else ())
    session.commit()
    f.login(client, user.email)
    for url in ("/admin/", "/admin/users", "/admin/departments"):
        assert client.get(url).status_code == 403


def test_admin_creates_a_department_user(client, session, admin):
    f.login(client, admin.email)
    token = _token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "email": "Nieuw@Voorbeeldstad.nl",
                                                 "name": "Nieuw", "role": "department", "departments": ["GRN"],
                                                 "password": "tijdelijk-wachtwoord"})
    assert response.status_code == 302
    created = session.scalar(select(User).where(User.email == "nieuw@voorbeeldstad.nl"))
    assert [d.code for d in created.departments] == ["GRN"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create")).actor_id == admin.id
    client.post("/logout", data={"csrf_token": _token(client, "/")})
    assert f.login(client, "nieuw@voorbeeldstad.nl", "tijdelijk-wachtwoord").status_code == 302


def test_department_user_without_department_is_refused(client, admin):
    f.login(client, admin.email)
    token = _token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "email": "x@voorbeeldstad.nl",
                                                 "role": "department", "password": "tijdelijk-wachtwoord"})
    assert response.status_code == 400


def test_deactivating_a_user_ends_their_sessions(client, session, admin, app):
    agent = f.user(session, "agent")
    session.commit()
    other = app.test_client()
    f.login(other, agent.email)
    assert other.get("/").status_code == 200
    f.login(client, admin.email)
    url = f"/admin/users/{agent.id}"
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "x", "role": "agent"})
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.data["active"] == [True, False]


def test_admin_cannot_lock_themselves_out(client, admin):
    f.login(client, admin.email)
    url = f"/admin/users/{admin.id}"
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "x", "role": "agent",
                                      "active": "y"})
    assert response.status_code == 409


def test_admin_edits_a_department(client, session, admin):
    f.login(client, admin.email)
    ow = session.scalar(select(Department).where(Department.code == "OW"))
    url = f"/admin/departments/{ow.id}"
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "Beheer Openbare Ruimte",
                                      "email": "bor@voorbeeldstad.nl", "active": "y",
                                      "feedback_working_days": "2"})
    assert response.status_code == 302
    session.expire_all()
    ow = session.get(Department, ow.id)
    assert (ow.name, ow.email, ow.feedback_working_days) == ("Beheer Openbare Ruimte", "bor@voorbeeldstad.nl", 2)


def test_duplicate_department_code_is_refused(client, admin):
    f.login(client, admin.email)
    token = _token(client, "/admin/departments")
    response = client.post("/admin/departments", data={"csrf_token": token, "code": "ow", "name": "Dubbel",
                                                       "active": "y"})
    assert response.status_code == 409


def test_a_refused_new_user_keeps_the_form_and_says_why_in_dutch(client, admin):
    f.login(client, admin.email)
    token = _token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "email": "x@voorbeeldstad.nl",
                                                 "name": "Xandra", "role": "department",
                                                 "password": "tijdelijk-wachtwoord"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Afdelingsmedewerkers horen bij ten minste één afdeling" in html
    assert "--department" not in html
    assert 'value="x@voorbeeldstad.nl"' in html and 'value="Xandra"' in html
    assert '<option selected value="department">' in html


def test_a_new_user_with_a_known_email_address_is_refused_on_the_form(client, admin):
    f.login(client, admin.email)
    token = _token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "email": admin.email.upper(),
                                                 "name": "Dubbel", "role": "agent",
                                                 "password": "tijdelijk-wachtwoord"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Er is al een gebruiker met dit e-mailadres." in html
    assert f'value="{admin.email.upper()}"' in html and 'value="Dubbel"' in html


def test_a_password_of_one_character_repeated_is_refused_on_the_form_in_dutch(client, admin):
    f.login(client, admin.email)
    token = _token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "email": "y@voorbeeldstad.nl",
                                                 "name": "Yara", "role": "agent", "password": "a" * 12})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dit wachtwoord is te makkelijk te raden." in html


def test_editing_a_user_into_department_staff_without_a_department_stays_on_the_form(client, session, admin):
    agent = f.user(session, "agent")
    session.commit()
    f.login(client, admin.email)
    url = f"/admin/users/{agent.id}"
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "Nieuwe naam",
                                      "role": "department", "active": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Afdelingsmedewerkers horen bij ten minste één afdeling" in html
    assert 'value="Nieuwe naam"' in html
    session.expire_all()
    assert session.get(User, agent.id).role == "agent"


def test_an_admin_locking_themselves_out_is_told_in_dutch(client, admin):
    f.login(client, admin.email)
    url = f"/admin/users/{admin.id}"
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "x", "role": "agent",
                                      "active": "y"})
    assert "je eigen beheerdersrol" in response.get_data(as_text=True)


def test_a_refused_new_department_keeps_the_form_and_says_why_in_dutch(client, admin):
    f.login(client, admin.email)
    cases = [({"code": "ow", "name": "Dubbel"}, 409, "Er is al een afdeling met deze code."),
             ({"code": "X Y!", "name": "Raar"}, 400, "Een afdelingscode bestaat alleen uit letters en cijfers")]
    for data, status, message in cases:
        response = f.form_post(client, "/admin/departments", {**data, "email": "a@voorbeeldstad.nl", "active": "y"})
        html = response.get_data(as_text=True)
        assert response.status_code == status
        assert message in html and "already exists" not in html and "at most 16" not in html
        assert f'value="{data["code"]}"' in html and f'value="{data["name"]}"' in html
        assert 'value="a@voorbeeldstad.nl"' in html


def test_a_bad_department_email_or_target_does_not_ask_for_the_code_and_name(client, admin):
    f.login(client, admin.email)
    for extra in ({"email": "geen-email"}, {"feedback_working_days": "-1"}):
        response = f.form_post(client, "/admin/departments", {"code": "QA", "name": "Kwaliteit", **extra})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Vul een code en een naam in." not in html and 'value="QA"' in html
        assert "field-error" in html


def test_the_user_page_shows_the_departments_chosen_so_a_save_keeps_them(client, session, admin):
    staff = f.user(session, "department", ("OW", "GRN"))
    session.commit()
    f.login(client, admin.email)
    url = f"/admin/users/{staff.id}"
    page = client.get(url).get_data(as_text=True)
    chosen = re.findall(r'<option selected value="([A-Z]+)">', page)
    assert chosen == ["GRN", "OW"], chosen
    response = f.form_post(client, url, {"name": "Nieuwe naam", "role": "department", "active": "y",
                                         "departments": chosen})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert sorted(d.code for d in session.get(User, staff.id).departments) == ["GRN", "OW"]


def test_a_user_of_a_deactivated_department_can_still_be_edited_and_keeps_it(client, session, admin):
    staff = f.user(session, "department", ("RIO",))
    session.scalar(select(Department).where(Department.code == "RIO")).active = False
    session.commit()
    f.login(client, admin.email)
    url = f"/admin/users/{staff.id}"
    page = client.get(url).get_data(as_text=True)
    assert '<option selected value="RIO">RIO – Riolering (inactief)</option>' in page, page
    response = f.form_post(client, url, {"name": "Vertrokken", "role": "department", "departments": ["RIO"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    staff = session.get(User, staff.id)
    assert (staff.active, [d.code for d in staff.departments]) == (False, ["RIO"])
    assert 'value="RIO"' not in client.get("/admin/users").get_data(as_text=True)
    newcomer = f.user(session, "agent")
    with pytest.raises(ValidationFailed, match="switched off: RIO"):
        users.update_user(session, newcomer, name="Nieuw", role="agent", department_codes=["RIO"], active=True)


def test_a_department_that_enabled_rules_send_tickets_to_stays_active(client, session, admin):
    f.login(client, admin.email)
    safety = session.scalar(select(Department).where(Department.code == "VB"))
    url = f"/admin/departments/{safety.id}"
    response = f.form_post(client, url, {"name": safety.name, "email": "", "feedback_working_days": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bedreiging en intimidatie" in html and "flash-error" in html
    session.expire_all()
    assert session.get(Department, safety.id).active is True
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "department.update")) is None
    unused = departments.create_department(session, "QA", "Kwaliteit")
    session.commit()
    response = f.form_post(client, f"/admin/departments/{unused.id}", {"name": "Kwaliteit", "email": ""})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Department, unused.id).active is False


def test_a_refused_user_form_is_a_400_and_changes_nothing(client, session, admin):
    agent = f.user(session, "agent")
    session.commit()
    f.login(client, admin.email)
    url = f"/admin/users/{agent.id}"
    for data in ({"name": "n" * 121, "role": "agent", "active": "y"},
                 {"name": "Kort", "role": "agent", "active": "y", "password": "kort"},
                 {"name": "Kort", "role": "baas", "active": "y"}):
        response = f.form_post(client, url, data)
        assert response.status_code == 400, data
        assert "field-error" in response.get_data(as_text=True)
    session.expire_all()
    assert (session.get(User, agent.id).name, session.get(User, agent.id).role) == (agent.name, "agent")


def test_a_refused_department_edit_is_a_400_with_the_errors_and_changes_nothing(client, session, admin):
    """The edit-department form answered 200 when its own checks refused it (the user forms answer 400)."""
    f.login(client, admin.email)
    ow = session.scalar(select(Department).where(Department.code == "OW"))
    before = (ow.name, ow.email, ow.feedback_working_days)
    url = f"/admin/departments/{ow.id}"
    for data in ({"name": "n" * 121, "active": "y"}, {"name": "", "active": "y"},
                 {"name": "Openbare Werken", "email": "geen-email", "active": "y"},
                 {"name": "Openbare Werken", "feedback_working_days": "0", "active": "y"},
                 {"name": "Openbare Werken", "feedback_working_days": "veel", "active": "y"}):
        response = f.form_post(client, url, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert "field-error" in html and 'name="name"' in html
    assert client.get(url).status_code == 200
    session.expire_all()
    ow = session.get(Department, ow.id)
    assert (ow.name, ow.email, ow.feedback_working_days) == before
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "department.update")) is None


def test_deactivating_a_user_revokes_their_api_tokens_for_good(client, session, admin, cli, app):
    """A deactivated user's tokens were refused only while the account stayed off: reactivated, they worked
    again. Deactivation now revokes them in the database, audited; a reactivated user needs new tokens."""
    agent = f.user(session, "agent")
    session.commit()
    script = app.test_client()  # no session of its own: the token alone
    old, spare = (cli("create-token", agent.email, "--name", name).output.strip() for name in ("script", "spare"))
    cli("revoke-token", spare[:10])
    revoked_before = session.scalar(select(ApiToken.revoked_at).where(ApiToken.name == "spare"))
    assert script.get("/api/v1/departments", headers={"Authorization": f"Bearer {old}"}).status_code == 200
    f.login(client, admin.email)
    url = f"/admin/users/{agent.id}"
    assert f.form_post(client, url, {"name": "Weg", "role": "agent"}).status_code == 302
    session.expire_all()
    tokens = {t.name: t for t in session.scalars(select(ApiToken).where(ApiToken.user_id == agent.id))}
    assert tokens["script"].revoked_at is not None and tokens["spare"].revoked_at == revoked_before
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "token.revoke",
                                                       AuditEntry.actor_id == admin.id)).all()
    assert [(e.target_type, e.target_id, e.data["reason"]) for e in entries] == [
        ("api_token", str(tokens["script"].id), "user_deactivated")]
    assert f.form_post(client, url, {"name": "Terug", "role": "agent", "active": "y"}).status_code == 302
    session.expire_all()
    assert session.get(User, agent.id).active is True
    assert script.get("/api/v1/departments", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    new = cli("create-token", agent.email, "--name", "nieuw")
    assert new.exit_code == 0, new.output
    assert script.get("/api/v1/departments",
                      headers={"Authorization": f"Bearer {new.output.strip()}"}).status_code == 200
    page = client.get(url)
    assert page.status_code == 200 and page.get_data(as_text=True).count("ingetrokken") == 2
    assert "Intrekken" in page.get_data(as_text=True)  # the new token can be revoked on the page


def test_a_reactivated_user_logs_in_again(client, session, admin, app):
    """Deactivation ends the user's sessions; reactivation does not bring them back."""
    agent = f.user(session, "agent")
    session.commit()
    other = app.test_client()
    f.login(other, agent.email)
    assert other.get("/").status_code == 200
    f.login(client, admin.email)
    url = f"/admin/users/{agent.id}"
    assert f.form_post(client, url, {"name": "Weg", "role": "agent"}).status_code == 302
    assert other.get("/").status_code == 302
    assert f.form_post(client, url, {"name": "Terug", "role": "agent", "active": "y"}).status_code == 302
    assert other.get("/").status_code == 302 and "/login" in other.get("/").location
    assert f.login(other, agent.email).status_code == 302
    assert other.get("/").status_code == 200
