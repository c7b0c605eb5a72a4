"""The reply composer follows the adapters: length limits and private replies per platform and per thread."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories as f
from webcare import platforms
from webcare.db import utcnow
from webcare.errors import ValidationFailed
from webcare.models import Message
from webcare.services import compose


@pytest.fixture
def agent(session):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    return user


def latest_raw(session, ticket, raw: dict) -> None:
    message = session.query(Message).filter_by(ticket_id=ticket.id, direction="in").one()
    message.raw = raw
    session.flush()


@pytest.mark.parametrize("platform", platforms.supported_platforms())
def test_every_adapter_sets_the_composers_limit(session, agent, platform):
    ticket = f.ticket(session, f.channel(session, platform), department_code="KCC")
    added = platforms.adapter_class(platform).reply_overhead(compose.reply_context(ticket))
    assert compose.rules_for(ticket).limit == platforms.capabilities(platform).max_reply_length - added


def test_a_channel_setting_overrides_the_limit(session, agent):
    ticket = f.ticket(session, f.channel(session, "x", settings={"max_chars": 5000}), department_code="KCC")
    compose.send_reply(session, ticket, agent, "a" * 5000, "public")
    with pytest.raises(ValidationFailed):
        compose.send_reply(session, ticket, agent, "a" * 5001, "public")


def test_the_limit_leaves_room_for_the_mention_mastodon_puts_in_front(session, agent):
    ticket = f.ticket(session, f.channel(session, "mastodon", settings={"max_chars": 5000}), department_code="KCC")
    latest_raw(session, ticket, {"acct": "jan@mastodon.nl"})
    assert compose.rules_for(ticket).limit == 5000 - len("@jan@mastodon.nl ")
    latest_raw(session, ticket, {})  # e.g. an imported conversation: the author's handle is mentioned
    handle = compose.reply_context(ticket)["author_handle"]
    assert handle and compose.rules_for(ticket).limit == 5000 - len("@" + handle.lstrip("@") + " ")


def test_private_replies_follow_the_adapter_for_this_thread(session, agent):
    ticket = f.ticket(session, f.channel(session, "x"), department_code="KCC")
    latest_raw(session, ticket, {"receives_your_dm": False})
    rules = compose.rules_for(ticket)
    assert not rules.private_allowed and "direct message" in rules.private_note
    with pytest.raises(ValidationFailed) as refused:
        compose.send_reply(session, ticket, agent, "Stuur ons een DM", "private")
    assert "not possible in this conversation" in refused.value.message
    latest_raw(session, ticket, {"receives_your_dm": True})
    assert compose.rules_for(ticket).private_allowed


def test_the_context_carries_kind_visibility_and_the_last_inbound_time(session, agent):
    at = utcnow() - timedelta(hours=3)
    ticket = f.ticket(session, f.channel(session, "bluesky"), department_code="KCC", last_inbound_at=at)
    latest_raw(session, ticket, {"allow_incoming": "all", "kind": "ignored"})
    context = compose.reply_context(ticket)
    assert (context["kind"], context["visibility"], context["allow_incoming"]) == ("mention", "public", "all")
    assert context["last_inbound_at"].startswith(at.isoformat()[:19]) and context["last_inbound_at"].endswith("+00:00")


def test_a_platform_without_an_adapter_does_not_break_the_composer(session, agent):
    public = f.ticket(session, f.channel(session, "threads"), department_code="KCC")
    rules = compose.rules_for(public)
    assert (rules.limit, rules.private_allowed, rules.public_allowed) == (compose.DEFAULT_LIMIT, False, True)
    public.visibility, public.kind = "private", "dm"  # a DM conversation: answered privately
    rules = compose.rules_for(public)
    assert rules.private_allowed and not rules.public_allowed


def test_the_ticket_page_shows_the_limit_and_why_private_is_off(client, session, agent):
    ticket = f.ticket(session, f.channel(session, "linkedin"), department_code="KCC")
    session.commit()
    f.login(client, agent.email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-limit="1250"' in page and "/ 1250" in page
    assert 'disabled aria-describedby="private-note"' in page
    assert 'id="private-note"' in page and "LinkedIn" in page
