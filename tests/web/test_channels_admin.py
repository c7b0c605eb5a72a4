"""Admin pages for channels and dead letters, and the retry button for a failed reply."""

from __future__ import annotations

import re

import pytest
from rq import Queue
from sqlalchemy import select

from tests import factories as f
from tests.fakes.mastodon import mastodon  # noqa: F401  (fixture)
from webcare.errors import ValidationFailed
from webcare.models import AuditEntry, Channel, Message
from webcare.services import channels, deadletters
from workers.heartbeat import BeatingWorker


def test_only_admins_see_channels(client, session):
    agent = f.user(session, "agent")
    session.commit()
    f.login(client, agent.email)
    assert client.get("/admin/channels/").status_code == 403
    assert client.get("/admin/dead-letters/").status_code == 403


def test_admin_adds_a_channel_and_the_token_is_never_shown(client, session, admin, runtime):
    response = f.form_post(client, "/admin/channels/new", {
        "platform": "mastodon", "name": "Mastodon gemeente", "base_url": "https://social.voorbeeldstad.nl/",
        "handle": "@gemeente", "poll_interval_seconds": "30", "token": "geheim-token-123"})
    assert response.status_code == 302
    channel = session.scalars(select(Channel)).one()
    assert channel.base_url == "https://social.voorbeeldstad.nl" and channel.poll_interval_seconds == 30
    assert "geheim-token-123" not in channel.credentials_encrypted
    assert runtime.secrets.decrypt_json(channel.credentials_encrypted) == {"access_token": "geheim-token-123"}
    for page in ("/admin/channels/", f"/admin/channels/{channel.id}/edit"):
        assert "geheim-token-123" not in client.get(page).get_data(as_text=True)
    assert "channel.create" in session.scalars(select(AuditEntry.action)).all()


def test_the_new_channel_form_marks_each_platforms_part(client, admin):
    page = client.get("/admin/channels/new").get_data(as_text=True)
    assert '<option selected value="mastodon">' in page or '<option value="mastodon" selected>' in page
    for platforms in ("mastodon", "x", "linkedin tiktok", "facebook instagram", "bluesky"):
        assert f'data-platforms="{platforms}"' in page
    assert "js/channel_form.js" in page


def test_bad_input_is_refused_with_a_message(client, session, admin):
    response = f.form_post(client, "/admin/channels/new", {"platform": "mastodon", "name": "Zonder server",
                                                           "poll_interval_seconds": "60", "token": "t"})
    assert response.status_code == 400
    assert "server" in response.get_data(as_text=True)
    assert session.scalars(select(Channel)).all() == []


def test_edit_keeps_the_token_unless_a_new_one_is_given(client, session, admin, runtime):
    channel = channels.create_channel(session, platform="mastodon", name="M", base_url="https://a.example",
                                      token="oud")
    channel.needs_reauth = True
    session.commit()
    url = f"/admin/channels/{channel.id}/edit"
    f.form_post(client, url, {"name": "M2", "base_url": "https://a.example", "poll_interval_seconds": "60", "token": ""})
    session.expire_all()
    assert (channel.name, channel.needs_reauth) == ("M2", True)
    assert runtime.secrets.decrypt_json(channel.credentials_encrypted)["access_token"] == "oud"
    f.form_post(client, url, {"name": "M2", "base_url": "https://a.example", "poll_interval_seconds": "60",
                            "token": "nieuw"})
    session.expire_all()
    assert channel.needs_reauth is False
    assert runtime.secrets.decrypt_json(channel.credentials_encrypted)["access_token"] == "nieuw"


def test_pause_resume_test_and_poll_now(client, session, admin, mastodon, redis):  # noqa: F811
    channel = mastodon.channel(session)
    f.form_post(client, f"/admin/channels/{channel.id}/pause", page="/admin/channels/")
    session.expire_all()
    assert channel.enabled is False
    f.form_post(client, f"/admin/channels/{channel.id}/resume", page="/admin/channels/")
    session.expire_all()
    assert channel.enabled is True

    response = f.form_post(client, f"/admin/channels/{channel.id}/test", page="/admin/channels/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "@gemeente@mock.local" in page

    f.form_post(client, f"/admin/channels/{channel.id}/poll", page="/admin/channels/")
    assert Queue("poll", connection=redis).job_ids == [f"poll-channel-{channel.id}"]
    mastodon.post("jan", "Kapotte bank in het park.")
    BeatingWorker(["poll", "ingest"], connection=redis).work(burst=True)
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "<td>1</td>" in page  # messages in the last 24 hours


def test_a_paused_channel_is_not_polled_now(client, session, admin, mastodon, redis):  # noqa: F811
    channel = mastodon.channel(session)
    f.form_post(client, f"/admin/channels/{channel.id}/pause", page="/admin/channels/")
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert f"/admin/channels/{channel.id}/poll" not in page  # no button
    response = f.form_post(client, f"/admin/channels/{channel.id}/poll", page="/admin/channels/")
    assert Queue("poll", connection=redis).job_ids == []
    assert "Dit kanaal is gepauzeerd" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_dead_letters_can_be_inspected_retried_and_discarded(client, session, admin, redis):
    queue = Queue("ingest", connection=redis)
    job = queue.enqueue("workers.ingest.ingest_batch", 424242, [])  # a channel that does not exist
    BeatingWorker(["ingest"], connection=redis).work(burst=True)
    page = client.get("/admin/dead-letters/").get_data(as_text=True)
    assert "workers.ingest.ingest_batch" in page and "channel 424242 not found" in page and "424242" in page

    discard_form = re.search(rf'<form [^>]*action="/admin/dead-letters/{job.id}/discard"[^>]*>', page).group(0)
    assert "data-confirm=" in discard_form  # it cannot be undone: the page asks first, as for deleting a rule

    f.form_post(client, f"/admin/dead-letters/{job.id}/retry", page="/admin/dead-letters/")
    assert queue.job_ids == [job.id]
    BeatingWorker(["ingest"], connection=redis).work(burst=True)
    assert [letter.job_id for letter in deadletters.dead_letters(redis)] == [job.id]
    f.form_post(client, f"/admin/dead-letters/{job.id}/discard", page="/admin/dead-letters/")
    assert deadletters.dead_letters(redis) == []
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert [a for a in actions if a.startswith("deadletter")] == ["deadletter.retry", "deadletter.discard"]


def test_failed_reply_can_be_sent_again_by_someone_who_sees_the_ticket(client, session, redis):
    f.seeded(session)
    ticket = f.ticket(session, department_code="OW")
    agent, outsider = f.user(session, "agent"), f.user(session, "department", ("AFV",))
    reply = Message(ticket_id=ticket.id, channel_id=ticket.channel_id, direction="out", platform="mastodon",
                    thread_key=ticket.thread_key, kind="reply", visibility="public", text="Wij zijn ermee bezig.",
                    delivery_state="failed", delivery_error="HTTP 503", idempotency_key="k-1")
    session.add(reply)
    session.commit()

    f.login(client, outsider.email)
    token = f.csrf_token(client.get("/", follow_redirects=True).get_data(as_text=True))  # their department page
    assert client.post(f"/deliveries/{reply.id}/retry", data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": token})

    f.login(client, agent.email)
    token = f.csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(f"/deliveries/{reply.id}/retry", data={"csrf_token": token},
                           headers={"Accept": "application/json"})
    assert response.status_code == 202 and response.json["delivery"]["state"] == "queued"
    session.expire_all()
    assert session.get(Message, reply.id).delivery_state == "queued"
    assert Queue("replies", connection=redis).job_ids == [f"send-reply-{reply.id}"]
    again = client.post(f"/deliveries/{reply.id}/retry", data={"csrf_token": token},
                        headers={"Accept": "application/json"})
    assert again.status_code == 409


def test_the_channel_page_says_what_the_last_error_means(client, session, admin, runtime, mastodon):  # noqa: F811
    """The page explains the last refusal in Dutch (what it means, what to do) beside the platform's own words;
    the API and the CLI give its kind."""
    f.seeded(session)
    channel = mastodon.channel(session)
    mastodon.fault("/api/v1/accounts/verify_credentials", {"type": "status", "status": 503})
    assert channels.run_connection_test(runtime.transaction, channel.id)["ok"] is False
    session.expire_all()
    assert session.get(Channel, channel.id).last_error_kind == "transient"
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "Het platform was even niet bereikbaar; Webcare probeert het vanzelf opnieuw." in page

    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token="ingetrokken-token")
    assert channels.run_connection_test(runtime.transaction, channel.id)["kind"] == "NeedsReauth"
    session.expire_all()
    broken = session.get(Channel, channel.id)
    assert (broken.last_error_kind, broken.needs_reauth) == ("needs_reauth", True)
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "Het platform accepteert het toegangstoken niet meer: voer via Bewerken een nieuw token in." in page
    assert f"Het platform meldde: {broken.last_error}" in page and "401" in broken.last_error
    [listed] = client.get("/api/v1/channels").get_json()["items"]
    assert (listed["last_error_kind"], listed["last_error"]) == ("needs_reauth", broken.last_error)
    assert (listed["state"], listed["messages_24h"]) == ("needs_reauth", 0)  # the health the admin page shows

    with runtime.transaction() as s:  # a working token clears the error and its kind
        channels.update_channel(s, s.get(Channel, channel.id), token="gemeente-token")
    session.expire_all()
    assert (session.get(Channel, channel.id).last_error, session.get(Channel, channel.id).last_error_kind) == (None, None)


def test_a_refused_channel_keeps_the_form_and_says_why_in_dutch(client, session, admin):
    data = {"platform": "mastodon", "name": "Mastodon nieuw", "handle": "@gemeente", "poll_interval_seconds": "60",
            "token": "t"}
    # the last three were accepted (a 500 for the first) and then failed every poll as "not reachable"
    for base_url in ("not a url", "ftp://x", "http://[::1", "https://a.example:99999", "http://exa mple.nl"):
        response = f.form_post(client, "/admin/channels/new", {**data, "base_url": base_url})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Het serveradres begint met http:// of https://" in html and "http(s) URL" not in html
        assert f'value="{base_url}"' in html and 'value="Mastodon nieuw"' in html and 'value="@gemeente"' in html
    response = f.form_post(client, "/admin/channels/new", {**data, "base_url": "https://beheer:geheim@a.example"})
    assert response.status_code == 400  # was stored, and the password shown on the channel pages
    assert "Het serveradres mag geen gebruikersnaam of wachtwoord bevatten" in response.get_data(as_text=True)
    channels.create_channel(session, platform="mastodon", name="Mastodon (demo)", base_url="https://a.example",
                            token="t")
    session.commit()
    response = f.form_post(client, "/admin/channels/new", {**data, "name": "Mastodon (demo)",
                                                           "base_url": "https://b.example"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Er is al een kanaal met deze naam." in html and "already exists" not in html
    assert 'value="https://b.example"' in html


def test_a_refused_channel_edit_keeps_the_form(client, session, admin):
    channel = channels.create_channel(session, platform="mastodon", name="M", base_url="https://a.example", token="t")
    session.commit()
    response = f.form_post(client, f"/admin/channels/{channel.id}/edit", {
        "name": "M nieuw", "base_url": "ftp://x", "poll_interval_seconds": "60", "token": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Het serveradres begint met http:// of https://" in html and 'value="M nieuw"' in html
    session.expire_all()
    assert (channel.name, channel.base_url) == ("M", "https://a.example")


def test_a_malformed_handle_is_refused_in_dutch(client, session, admin):
    data = {"platform": "mastodon", "name": "M", "base_url": "https://a.example", "poll_interval_seconds": "60",
            "token": "t"}
    for handle in ("@@@ ###", "a" * 200):
        response = f.form_post(client, "/admin/channels/new", {**data, "handle": handle})
        assert response.status_code == 400
        assert "Een accountnaam is een naam zoals @gemeente" in response.get_data(as_text=True)
    assert session.scalars(select(Channel)).all() == []
    with pytest.raises(ValidationFailed):
        channels.create_channel(session, platform="mastodon", name="L", base_url="https://a.example",
                                handle="a" * 300, token="t")
    for handle in ("@gemeente", "@gemeente@social.voorbeeldstad.nl", "voorbeeldstad.nl", "did:plc:abc123"):
        channel = channels.create_channel(session, platform="mastodon", name=handle, base_url="https://a.example",
                                          handle=handle, token="t")
        assert channel.handle == handle


def test_a_refused_token_or_account_is_said_at_its_field(client, session, admin):
    """The credentials' refusals (no token, an invisible character copied along with it, no LinkedIn organisation,
    no Page ID, ...) come at their field in the user's language; they were flashed above the form as "Dit kan niet:"
    with the service's English words."""
    data = {"platform": "mastodon", "name": "M", "base_url": "https://a.example", "poll_interval_seconds": "60"}
    cases = [({"token": ""}, "token"), ({"token": "gemeente-token\u200b"}, "token"),
             ({"platform": "x", "base_url": "", "token": "{nope"}, "token"),
             ({"platform": "x", "base_url": "", "token": "t", "x_refresh_token": "r"}, "x_client_id"),
             ({"platform": "linkedin", "base_url": "", "token": "t", "oauth_refresh_token": "r",
               "account_id": "1"}, "oauth_client_id"),
             ({"platform": "linkedin", "base_url": "", "token": "t"}, "account_id"),
             ({"platform": "facebook", "base_url": "", "token": "t"}, "meta_page_id"),
             ({"platform": "bluesky", "base_url": "", "token": "t"}, "handle")]
    for given, name in cases:
        response = f.form_post(client, "/admin/channels/new", {**data, **given})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, given
        assert re.search(rf'<div class="field has-error">\s*<label for="{name}"', html), given
        assert "Dit kan niet" not in html and "flash-error" not in html, given
    assert session.scalars(select(Channel)).all() == []


def test_a_channel_form_its_checks_refuse_is_a_400(client, session, admin):
    """A form the field checks refused (no name, a poll interval that is no number) answered 200, unlike a
    refusal of the service (400/409); every admin form answers a refused save with 400."""
    data = {"platform": "mastodon", "name": "", "base_url": "https://a.example", "poll_interval_seconds": "60",
            "token": "t"}
    response = f.form_post(client, "/admin/channels/new", data)
    assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)
    assert client.get("/admin/channels/new").status_code == 200
    assert session.scalars(select(Channel)).all() == []
    channel = channels.create_channel(session, platform="mastodon", name="M", base_url="https://a.example", token="t")
    session.commit()
    url = f"/admin/channels/{channel.id}/edit"
    for changed in ({"name": ""}, {"poll_interval_seconds": "vaak"}):
        response = f.form_post(client, url, {**data, "name": "M", **changed})
        assert response.status_code == 400, changed
        assert "field-error" in response.get_data(as_text=True)
    assert client.get(url).status_code == 200
    session.expire_all()
    assert (channel.name, channel.poll_interval_seconds) == ("M", 60)
