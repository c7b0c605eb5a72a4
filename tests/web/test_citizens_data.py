"""Citizens' data pages: admin-only search, readable and JSON export, erase with reason and confirmation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.services.test_subject_rights import build_world
from webcare.models import AuditEntry, Ticket


@pytest.fixture
def world(session):
    return build_world(session)

def test_pages_are_admin_only(client, world):
    f.login(client, world["agent"].email)
    cid = world["contact"].id
    for path in ("/admin/privacy/contacts?q=jansen", f"/admin/privacy/contacts/{cid}",
                 f"/admin/privacy/contacts/{cid}/export", f"/admin/privacy/contacts/{cid}/export.json"):
        assert client.get(path).status_code == 403, path


def test_admin_searches_exports_and_erases(client, session, world):
    f.login(client, world["admin"].email)
    cid = world["contact"].id
    search = client.get("/admin/privacy/contacts?q=jansen").get_data(as_text=True)
    assert f"/admin/privacy/contacts/{cid}" in search
    page = client.get(f"/admin/privacy/contacts/{cid}/export")
    assert page.status_code == 200 and "Mijn stoep is kapot" in page.get_data(as_text=True)
    download = client.get(f"/admin/privacy/contacts/{cid}/export.json")
    assert download.headers["Content-Disposition"] == f'attachment; filename="webcare-contact-{cid}.json"'
    assert download.get_json()["contact"]["display_name"] == "Jan Jansen"
    contact_page = client.get(f"/admin/privacy/contacts/{cid}").get_data(as_text=True)
    refused = client.post(f"/admin/privacy/contacts/{cid}/erase",
                          data={"csrf_token": f.csrf_token(contact_page), "reason": "verzoek"})  # not confirmed
    assert refused.status_code == 302
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "contact.erase")) is None
    done = client.post(f"/admin/privacy/contacts/{cid}/erase", data={
        "csrf_token": f.csrf_token(contact_page), "reason": "AVG-verzoek 2026-0042", "confirm": "y"})
    assert done.status_code == 302
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Gewist: 2 tickets geanonimiseerd." in after and "bewaard als bewijs" in after
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == world["admin"].id)
                              .order_by(AuditEntry.id)).all()
    assert actions == ["login", "contact.export", "contact.export", "contact.erase"]
    erase_entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "contact.erase"))
    assert erase_entry.ip == "127.0.0.1" and erase_entry.user_agent  # from where, taken from the request
    session.expire_all()
    assert session.get(Ticket, world["tickets"][0].id).anonymised_at is not None


def test_unknown_contact_is_404(client, world):
    f.login(client, world["admin"].email)
    assert client.get("/admin/privacy/contacts/99999").status_code == 404
