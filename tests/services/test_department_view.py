"""The department workspace's lists: what still waits for the department's feedback, and the rest."""

from __future__ import annotations

from tests import factories as f
from webcare.services import department_actions as dept
from webcare.services import department_view


def test_a_ticket_taken_over_or_answered_no_longer_waits_for_feedback(session):
    f.seeded(session)
    agent, ow = f.user(session, "agent"), f.user(session, "department", ("OW",))
    asked, taken, taken_answered, answered, routed = (
        f.ticket(session, department_code="KCC", text=f"melding {n}") for n in range(5))
    routed_id = routed.id
    for ticket in (asked, taken, taken_answered, answered):
        dept.handoff(session, ticket, agent, "OW", "Wanneer wordt dit gemaakt?")
    routed.department = asked.department  # routed to OW without a question
    dept.take_over(session, taken, ow)
    dept.take_over(session, taken_answered, ow)
    dept.give_feedback(session, taken_answered, ow, "Wij pakken het op")  # their move still: they own it
    dept.give_feedback(session, answered, ow, "Morgen gemaakt")
    session.commit()
    assert taken.awaiting == taken_answered.awaiting == "department"
    assert taken_answered.department_feedback_met_at is not None
    lists = department_view.lists_for(session, ow)
    assert [t.id for t in lists.awaiting] == [asked.id]
    assert {t.id for t in lists.others} == {taken.id, taken_answered.id, answered.id, routed_id}
    assert set(lists.feedback_left) == {asked.id} and set(lists.questions) == {asked.id}
