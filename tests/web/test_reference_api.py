"""The reference lists of the JSON API: what a category says of its targets."""

from __future__ import annotations

from tests import factories as f
from webcare.services.defaults import THREAT_CATEGORY


def test_categories_have_the_targets_the_sla_engine_uses(client, session):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    f.login(client, user.email)
    items = {c["code"]: c for c in client.get("/api/v1/categories").get_json()["items"]}
    threat = items[THREAT_CATEGORY]
    assert (threat["is_threat"], threat["default_priority"], threat["first_response_business_minutes"]) == (
        True, "urgent", 60)
    ordinary = next(c for c in items.values() if c["handling_target"] and not c["is_threat"])
    assert ordinary["first_response_business_minutes"] is None and ordinary["default_priority"] is None
    assert ordinary["handling_unit"] in ("working_days", "calendar_days")
