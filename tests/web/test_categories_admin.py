"""The category admin: targets, promise and retention per category reach the tickets created after the change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories as f
from webcare.models import AuditEntry, Category, Department, Ticket
from webcare.platforms.base import InboundMessage
from webcare.services import ingest, sla
from webcare.services.config_version import read as read_stamp

EDIT = {"name": "Zwerfvuil", "parent_code": "afval", "department_code": "AFV", "default_priority": "",
        "first_response_business_minutes": "45", "handling_target": "3", "handling_unit": "calendar_days",
        "promise_text": "Uw melding over {categorie} ligt bij {afdeling}; u hoort {termijn} van ons.",
        "retention_days": "90", "active": "y"}


@pytest.fixture
def admin(session):
    f.seeded(session)
    user = f.user(session, "admin")
    session.commit()
    return user


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": f.csrf_token(client.get(path).get_data(as_text=True))})


def _zwerfvuil(session) -> Category:
    return session.scalar(select(Category).where(Category.code == "afval.zwerfvuil"))


def _ingest_litter(session) -> Ticket:
    channel = f.channel(session)
    message = InboundMessage(external_id="z1", thread_key="status:z1", kind="mention", visibility="public",
                             text="@gemeente Er ligt veel zwerfvuil bij de speeltuin", author_id="b@example.org",
                             author_handle="@b@example.org")
    result = ingest.ingest_batch(session, channel.id, [message])
    return session.get(Ticket, result.ticket_ids[0])


def test_only_admins_see_the_pages(client, session, admin):
    agent = f.user(session, "agent")
    session.commit()
    f.login(client, agent.email)
    assert client.get("/admin/categories").status_code == 403
    assert client.get(f"/admin/categories/{_zwerfvuil(session).id}").status_code == 403


def test_the_list_shows_every_category_with_its_targets_in_dutch(client, session, admin):
    f.login(client, admin.email)
    page = client.get("/admin/categories").get_data(as_text=True)
    assert "Categorieën" in page and "afval.zwerfvuil" in page and ">bedreiging<" in page
    assert "365 dagen (standaard)" in page and "<td>beleid</td>" in page and "dreiging" in page
    assert 'href="/admin/categories"' in client.get("/admin/").get_data(as_text=True)


def test_changed_targets_reach_the_next_ticket_and_are_audited(client, session, admin):
    f.login(client, admin.email)
    before = read_stamp(session)
    category = _zwerfvuil(session)
    response = _post(client, f"/admin/categories/{category.id}", EDIT)
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert (category.first_response_business_minutes, category.handling_target, category.handling_unit,
            category.retention_days) == (45, 3, "calendar_days", 90)
    assert read_stamp(session)[0] > before[0]  # workers route with the new catalog at once
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "category.update"))
    assert entry.target_id == "afval.zwerfvuil" and entry.data["retention_days"] == [None, 90]
    ticket = _ingest_litter(session)
    assert ticket.category_id == category.id
    assert ticket.sla_targets["response"]["value"] == 45
    assert ticket.sla_targets["handling"] == {"value": 3, "unit": "calendar_days", "category_id": category.id}
    assert ticket.promise_text == "Uw melding over Zwerfvuil ligt bij Afval en Reiniging; u hoort binnen 3 dagen van ons."
    proposed, due = sla.propose_promise(session, ticket)  # an agent's promise later on: the same fields
    assert proposed.startswith("Uw melding over Zwerfvuil ligt bij Afval en Reiniging; u hoort ") and due
    page = client.get("/admin/categories").get_data(as_text=True)
    assert "45 werkminuten" in page and "3 kalenderdagen" in page and "90 dagen" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("promise_text", "U hoort van {naam}", "mag alleen {afdeling}, {categorie} en {termijn} gebruiken"),
    ("promise_text", "U hoort {termijn van ons", "accolade"),
    ("retention_days", "0", "tussen 1 en 3650"),
    ("parent_code", "afval.prullenbak", "onder een hoofdcategorie"),
])
def test_a_bad_value_is_refused_and_nothing_changes(client, session, admin, field, value, message):
    f.login(client, admin.email)
    category = _zwerfvuil(session)
    stamp = read_stamp(session)
    response = _post(client, f"/admin/categories/{category.id}", {**EDIT, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True), re.findall(r"field-error[^<]*<|flash[^<]*<", response.get_data(as_text=True))
    session.expire_all()
    assert (category.promise_text, category.retention_days, category.parent.code) == (None, None, "afval")
    assert read_stamp(session) == stamp
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("category.%"))) == 0


def test_a_new_category_can_be_chosen_by_routing_and_a_code_is_taken_once(client, session, admin):
    f.login(client, admin.email)
    new = {**EDIT, "code": "afval.drugsafval", "name": "Drugsafval", "promise_text": ""}
    assert _post(client, "/admin/categories/new", new).status_code == 302
    created = session.scalar(select(Category).where(Category.code == "afval.drugsafval"))
    assert (created.parent.code, created.department.code, created.active) == ("afval", "AFV", True)
    assert session.scalar(select(AuditEntry.target_id).where(AuditEntry.action == "category.create")) == "afval.drugsafval"
    rules_page = client.get("/admin/rules/new").get_data(as_text=True)
    assert 'value="afval.drugsafval"' in rules_page
    again = _post(client, "/admin/categories/new", new)
    assert again.status_code == 409 and "Er is al een categorie met deze code" in again.get_data(as_text=True)
    assert _post(client, "/admin/categories/new", {**new, "code": "Geen Code!"}).status_code == 400
    assert _post(client, "/admin/categories/new", {**new, "code": ""}).status_code == 400


def test_a_department_change_reaches_routing_at_once(session, admin):
    """Routing's catalog (active departments, their names in promises) is cached per routing version."""
    from webcare.services import departments

    before = read_stamp(session)
    department = session.scalar(select(Department).where(Department.code == "AFV"))
    departments.update_department(session, department, name="Afval")
    assert read_stamp(session)[0] > before[0]
    assert _ingest_litter(session).promise_text.startswith("Dank voor uw bericht. We hebben het doorgegeven aan Afval.")


def test_a_post_without_the_form_changes_nothing(client, session, admin):
    """A request without form fields (not a browser's) keeps every value, the main category included."""
    f.login(client, admin.email)
    category = _zwerfvuil(session)
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(f"/admin/categories/{category.id}")
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302
    session.expire_all()
    assert (category.parent.code, category.department.code, category.active) == ("afval", "AFV", True)
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("category.%"))) == 0


def test_the_list_reads_its_rows_in_a_few_queries(client, session, runtime, admin):
    """Not one query per category for its department and main category."""
    from sqlalchemy import event

    f.login(client, admin.email)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        assert client.get("/admin/categories").status_code == 200
        assert client.get("/canned").status_code == 200
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    categories = session.scalar(select(func.count()).select_from(Category))
    assert categories > 40 and len(statements) < 25, statements


def test_routing_is_not_changed_quietly(client, session, admin):
    """A category that enabled rules choose is not switched off (those rules would be skipped), and the threat
    category keeps the safety team's department; what may change still does."""
    f.login(client, admin.email)
    litter = _zwerfvuil(session)
    refused = _post(client, f"/admin/categories/{litter.id}", {**EDIT, "active": ""})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    errors = re.findall(r'field-error">([^<]*)<', page)
    assert "Ingeschakelde routeringsregels kiezen deze categorie; pas die regels eerst aan of zet ze uit." in errors
    assert any("Zwerfvuil" in error for error in errors if "routeringsregels" not in error), errors  # the rules
    threat = session.scalar(select(Category).where(Category.is_threat.is_(True)))
    form = {"name": threat.name, "parent_code": "", "department_code": "OW", "default_priority": "",
            "first_response_business_minutes": "30", "handling_target": "1", "handling_unit": "working_days",
            "promise_text": "", "retention_days": "", "active": "y"}
    moved = _post(client, f"/admin/categories/{threat.id}", form)
    assert moved.status_code == 400 and "blijft bij haar afdeling" in moved.get_data(as_text=True)
    session.expire_all()
    assert (litter.active, threat.department.code, threat.first_response_business_minutes) == (True, "VB", 60)
    kept = _post(client, f"/admin/categories/{threat.id}", {**form, "department_code": "VB"})
    assert kept.status_code == 302
    session.expire_all()
    assert threat.first_response_business_minutes == 30


def test_the_priority_choice_has_the_dutch_labels(client, session, admin):
    f.login(client, admin.email)
    category = session.scalar(select(Category).where(Category.code == "afval.zwerfvuil"))
    for path in ("/admin/categories/new", f"/admin/categories/{category.id}"):
        page = client.get(path).get_data(as_text=True)
        for value, label in (("urgent", "Urgent"), ("high", "Hoog"), ("normal", "Normaal"), ("low", "Laag")):
            assert f'value="{value}">{label}</option>' in page


def test_a_category_of_a_deactivated_department_keeps_it_when_saved(client, session, admin):
    department = session.scalar(select(Department).where(Department.code == "AFV"))
    department.active = False
    session.commit()
    f.login(client, admin.email)
    category = _zwerfvuil(session)
    page = client.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="AFV">AFV – Afval en Reiniging \(inactief\)</option>', page), page
    response = _post(client, f"/admin/categories/{category.id}", {**EDIT, "retention_days": "120"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert (category.department.code, category.retention_days) == ("AFV", 120)
    assert 'value="AFV"' not in client.get("/admin/categories/new").get_data(as_text=True)
