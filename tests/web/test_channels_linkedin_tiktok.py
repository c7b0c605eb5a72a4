"""Connecting LinkedIn and TikTok channels in the admin form: the account field, renewal fields, honest notes."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from tests.fakes.linkedin import CLIENT_ID, CLIENT_SECRET, ORG, ORG_ID, REFRESH, TOKEN, linkedin  # noqa: F401
from tests.fakes.tiktok import BUSINESS_ID, tiktok  # noqa: F401  (fixture)
from tests.fakes.tiktok import TOKEN as TIKTOK_TOKEN
from webcare.models import Channel


def stored(runtime, session, name: str) -> dict:
    session.expire_all()
    channel = session.scalars(select(Channel).where(Channel.name == name)).one()
    return runtime.secrets.decrypt_json(channel.credentials_encrypted)


def test_the_form_says_what_linkedin_and_tiktok_do_not_offer(client, admin):
    page = client.get("/admin/channels/new").get_data(as_text=True)
    assert "LinkedIn heeft geen berichten-API voor pagina" in page  # Dutch by default
    assert "niet beschikbaar voor accounts in de EER" in page
    assert 'value="linkedin">LinkedIn<' in page and 'value="tiktok">TikTok<' in page


def test_admin_connects_linkedin_and_tiktok(client, session, admin, runtime, linkedin, tiktok):  # noqa: F811
    response = f.form_post(client, "/admin/channels/new", {
        "platform": "linkedin", "name": "LinkedIn gemeente", "base_url": linkedin.base_url,
        "poll_interval_seconds": "300", "token": TOKEN, "account_id": ORG_ID, "oauth_refresh_token": REFRESH,
        "oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET})
    assert response.status_code == 302
    assert stored(runtime, session, "LinkedIn gemeente") == {
        "access_token": TOKEN, "refresh_token": REFRESH, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "expires_at": None, "organization": ORG}

    missing = f.form_post(client, "/admin/channels/new", {"platform": "tiktok", "name": "TikTok gemeente",
                                                        "base_url": tiktok.base_url, "poll_interval_seconds": "300",
                                                        "token": TIKTOK_TOKEN})
    assert missing.status_code == 400 and "open_id" in missing.get_data(as_text=True)
    assert f.form_post(client, "/admin/channels/new", {
        "platform": "tiktok", "name": "TikTok gemeente", "base_url": tiktok.base_url, "poll_interval_seconds": "300",
        "token": TIKTOK_TOKEN, "account_id": BUSINESS_ID}).status_code == 302
    assert stored(runtime, session, "TikTok gemeente")["business_id"] == BUSINESS_ID
