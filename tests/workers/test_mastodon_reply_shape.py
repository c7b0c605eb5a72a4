"""What our Mastodon replies carry besides the text, as Mastodon's own apps do when replying: the mentions of
everyone in the conversation and of the ticket's citizen, the reply's language, and the content warning of the
status answered. Against mastodon-mock as a real HTTP server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.fakes.mastodon import mastodon  # noqa: F401
from tests.workers.test_replies import agent, channel, our_replies, reply, ticket_from, work  # noqa: F401
from webcare.models import Message
from webcare.services import compose


def mentioned(status) -> list[str]:
    return [m["acct"] for m in status["mentions"]]


def neighbour_comments(runtime, redis, session, mastodon, channel, text: str):  # noqa: F811
    """Jan's public report, then Piet's comment under it (`text`, which mentions us): the latest message on
    Jan's ticket is Piet's."""
    ticket, report = ticket_from(runtime, redis, session, mastodon, channel, name="jan",
                                 text="De lantaarnpaal bij de school is kapot.")
    joined, comment = ticket_from(runtime, redis, session, mastodon, channel, name="piet", text=text,
                                  in_reply_to=report["id"])
    assert joined.id == ticket.id and ticket.contact.handle.startswith("@jan")
    return ticket, comment


@pytest.mark.parametrize("comment, expected", [
    ("@fatima die van jou is ook stuk, toch?", ["piet", "fatima", "jan"]),  # the citizen is not among them
    ("@jan @fatima bij ons ook.", ["piet", "jan", "fatima"]),  # each once, in the comment's order
])
def test_a_public_reply_to_a_neighbour_s_comment_mentions_everyone_and_the_citizen(  # noqa: F811
        runtime, redis, session, mastodon, channel, agent, comment, expected):  # noqa: F811
    """Our answer to Piet's comment under Jan's report mentions Piet, whom Piet mentioned, and Jan, whose
    ticket it is (Mastodon notifies only mentioned accounts), never ourselves; the composer's limit leaves
    room for exactly those mentions (the mock counts every character: one more would be refused)."""
    ticket, comment_status = neighbour_comments(runtime, redis, session, mastodon, channel, comment)
    limit = compose.rules_for(ticket).limit
    assert limit == 500 - sum(len(f"@{name} ") for name in expected)
    message = compose.send_reply(session, ticket, agent, "a" * limit, "public")
    session.commit()
    work(redis)

    [posted] = our_replies(mastodon, comment_status, session)
    assert mentioned(posted) == expected and posted["visibility"] == "public"
    assert session.get(Message, message.id).delivery_state == "sent"


def test_a_private_reply_in_that_thread_goes_to_the_citizen_alone(runtime, redis, session, mastodon, channel,  # noqa: F811
                                                                   agent):  # noqa: F811
    """A direct status reaches everyone it mentions: a private answer on Jan's ticket is for Jan, not for the
    neighbour whose comment came last, nor for whom that neighbour mentioned."""
    ticket, comment_status = neighbour_comments(runtime, redis, session, mastodon, channel,
                                                "@fatima die van jou is ook stuk, toch?")
    reply(session, ticket, agent, "Mogen we u bellen over de melding?", "private")
    work(redis)

    [posted] = our_replies(mastodon, comment_status, session)
    assert (posted["visibility"], mentioned(posted)) == ("direct", ["jan"])


def test_replies_say_the_language_they_are_written_in(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    """An English ticket gets its acknowledgement and answers marked English; a Dutch answer on it is Dutch; a
    text that gives no clue takes the ticket's language (guessed at ingest)."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="fatima",
                                 text="The streetlight on my street has been broken for a week, can you fix it?")
    assert ticket.language == "en"
    texts = {"Thank you, we have passed this on to the team that can fix it.": "en",
             "Dank voor uw melding, we geven het door aan de afdeling.": "nl", "👍 12-03": "en"}
    for text in texts:
        reply(session, ticket, agent, text, "public")
    work(redis)

    session.expire_all()
    ack = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.is_automatic.is_(True)))
    posted = [(str(s["id"]), s["content"], s["language"]) for s in mastodon.statuses_by_municipality()
              if str(s["in_reply_to_id"]) == str(status["id"])]
    assert [language for id_, _, language in posted if id_ == ack.external_id] == ["en"]
    for text, language in texts.items():
        assert [lang for _, content, lang in posted if text[:12] in content] == [language]


@pytest.mark.parametrize("visibility, ours", [("public", "public"), ("direct", "direct")])
def test_a_reply_repeats_the_content_warning_of_the_status_it_answers(runtime, redis, session, mastodon, channel,  # noqa: F811
                                                                      agent, visibility, ours):  # noqa: F811
    """As Mastodon's apps do, also in a DM; taken from the stored status (no extra call), and counted in the
    composer's limit: a real server counts the warning against the same 500 characters."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", visibility=visibility,
                                 text="Er ligt een dode kat op de stoep.", spoiler_text="dood dier")
    assert compose.rules_for(ticket).limit == 500 - len("@jan ") - len("dood dier")
    reply(session, ticket, agent, "We halen de kat vandaag nog weg.", "public" if ours == "public" else "private")
    work(redis)

    [posted] = our_replies(mastodon, status, session)
    assert (posted["visibility"], posted["spoiler_text"]) == (ours, "dood dier")


def test_a_reply_to_a_status_without_a_warning_has_none(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Lamp kapot.")
    reply(session, ticket, agent, "We repareren hem.", "public")
    work(redis)
    [posted] = our_replies(mastodon, status, session)
    assert posted["spoiler_text"] == "" and compose.rules_for(ticket).limit == 500 - len("@jan ")
