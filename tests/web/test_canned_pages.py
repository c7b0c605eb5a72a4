"""The webcare team maintains its canned responses; the reply composer offers what they wrote."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories as f
from webcare.models import AuditEntry, CannedResponse, Category

TEXT = "Beste {naam}, de container wordt {termijn} geleegd door {afdeling}."


@pytest.fixture
def team(session):
    f.seeded(session)
    people = {role: f.user(session, role) for role in ("agent", "manager", "admin")}
    people["department"] = f.user(session, "department", ("AFV",))
    session.commit()
    return people


def _post(client, path: str, data: dict, page: str | None = None):
    token = f.csrf_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _count(session, action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_department_staff_do_not_manage_the_team_texts(client, team):
    f.login(client, team["department"].email)
    assert client.get("/canned").status_code == 403
    assert client.get("/canned/new").status_code == 403


def test_an_agent_adds_a_text_for_a_category_and_the_composer_offers_it_filled_in(client, session, team):
    f.login(client, team["agent"].email)
    page = client.get("/canned").get_data(as_text=True)
    assert "Standaardantwoorden" in page and "Ontvangstbevestiging" in page  # the seeded ones
    response = _post(client, "/canned/new", {"title": "Container wordt geleegd", "category_code": "afval.container-vol",
                                             "language": "nl", "text": TEXT, "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    record = session.scalar(select(CannedResponse).where(CannedResponse.title == "Container wordt geleegd"))
    assert (record.category.code, record.language, record.active) == ("afval.container-vol", "nl", True)
    assert _count(session, "canned_response.create") == 1
    full = f.ticket(session, department_code="AFV", text="De container is vol",
                    category_id=session.scalar(select(Category.id).where(Category.code == "afval.container-vol")))
    other = f.ticket(session, department_code="OW", text="Losse stoeptegel")
    session.commit()
    composer = client.get(f"/tickets/{full.id}").get_data(as_text=True)
    assert "Container wordt geleegd" in composer
    assert "door Afval en Reiniging." in composer and "{afdeling}" not in composer
    assert "Container wordt geleegd" not in client.get(f"/tickets/{other.id}").get_data(as_text=True)


def test_a_change_and_a_removal_are_audited_and_an_inactive_text_is_not_offered(client, session, team):
    f.login(client, team["manager"].email)
    record = session.scalar(select(CannedResponse).where(CannedResponse.title == "Ontvangstbevestiging"))
    path = f"/canned/{record.id}"
    changed = _post(client, path, {"title": record.title, "category_code": "", "language": "nl",
                                   "text": "Beste {naam}, dank u wel. We komen erop terug."})
    assert changed.status_code == 302
    session.expire_all()
    assert (record.text, record.active) == ("Beste {naam}, dank u wel. We komen erop terug.", False)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "canned_response.update"))
    assert set(entry.data) == {"text", "active"}
    ticket = f.ticket(session)
    session.commit()
    assert "Ontvangstbevestiging" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    record_id = record.id
    removed = _post(client, f"/canned/{record_id}/delete", {}, page="/canned")
    assert removed.status_code == 302
    session.expunge_all()
    assert session.get(CannedResponse, record_id) is None and _count(session, "canned_response.delete") == 1


@pytest.mark.parametrize(("text", "message"), [
    ("Beste {naaam}, dank u.", "mag alleen {naam}, {afdeling} en {termijn} gebruiken"),
    ("Beste {naam, dank u.", "accolade zonder partner"),
    ("", "Dit veld is vereist"),
])
def test_a_text_with_a_field_the_composer_cannot_fill_is_refused(client, session, team, text, message):
    f.login(client, team["agent"].email)
    before = session.scalar(select(func.count()).select_from(CannedResponse))
    response = _post(client, "/canned/new", {"title": "Fout", "category_code": "", "language": "nl", "text": text,
                                             "active": "y"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True), re.findall(r'field-error">[^<]*', response.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(CannedResponse)) == before
    assert _count(session, "canned_response.create") == 0
