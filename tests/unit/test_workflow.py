"""Ticket status transitions, table-driven."""

from __future__ import annotations

import pytest

from webcare.errors import Conflict, ValidationFailed
from webcare.workflow import check_transition

ALLOWED = [
    ("new", "open", None), ("new", "with_department", None), ("open", "waiting_citizen", "Welk adres?"),
    ("with_department", "open", None), ("waiting_citizen", "open", None), ("open", "resolved", "Opgelost"),
    ("open", "cancelled", "Spam"), ("resolved", "open", None), ("forwarded_external", "resolved", "Klaar"),
    ("open", "forwarded_external", "Naar de politie"),
]
REFUSED = [("resolved", "with_department"), ("cancelled", "resolved"), ("forwarded_external", "with_department"),
           ("resolved", "resolved"),
           ("cancelled", "open")]  # DOMAIN.md: the reopen is resolved -> open; a cancelled ticket stays cancelled


@pytest.mark.parametrize(("current", "target", "text"), ALLOWED)
def test_allowed_moves(current, target, text):
    check_transition(current, target, text)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_moves(current, target):
    with pytest.raises(Conflict):
        check_transition(current, target, "tekst")


@pytest.mark.parametrize("target", ["resolved", "cancelled", "waiting_citizen", "forwarded_external"])
def test_moves_that_need_a_text(target):
    with pytest.raises(ValidationFailed):
        check_transition("open", target, "  ")


def test_unknown_status():
    with pytest.raises(ValidationFailed):
        check_transition("open", "archived")
