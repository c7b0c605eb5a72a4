"""Managing rules: validation (nothing bad is saved), order, enable, delete, audit, version stamp, cache."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, event, func, select

from tests import factories as f
from webcare.errors import Conflict, NotFound, ValidationFailed
from webcare.models import AppState, AuditEntry, RoutingRule
from webcare.services import config_version, routing
from webcare.services.routing import rules, store
from webcare.services.routing.seeding import seed_rules

LAMP = {"name": "Lampen", "conditions": {"words": ["*lamp"]}, "actions": {"category": "wegen.straatverlichting"}}


def catalog_only(session):
    """Departments and categories, without the default rules."""
    from webcare.services import seed

    seed.seed_calendar(session)
    seed.seed_departments(session)
    seed.seed_categories(session)
    return session


def names(session) -> list[str]:
    return [rule.name for rule in rules.list_rules(session)]


def test_seeding_is_idempotent_and_never_readds_deleted_defaults(session):
    f.seeded(session)
    count = session.scalar(select(func.count()).select_from(RoutingRule))
    assert count >= 40 and seed_rules(session) == 0
    threat = session.scalar(select(RoutingRule).where(RoutingRule.name == "Bedreiging en intimidatie"))
    assert threat.position == 1
    rules.delete_rule(session, threat.id, None)
    assert seed_rules(session) == 0
    assert session.scalar(select(func.count()).select_from(RoutingRule)) == count - 1
    assert [r.position for r in rules.list_rules(session)] == list(range(1, count))


def test_create_validates_and_saves_nothing_bad(session):
    f.seeded(session)
    before = session.scalar(select(func.count()).select_from(RoutingRule))
    with pytest.raises(ValidationFailed, match="invalid regular expression") as caught:
        rules.create_rule(session, {"name": "Kapot", "conditions": {"regex": "(kapot"}, "actions": {}}, None)
    assert "conditions" in caught.value.fields
    with pytest.raises(ValidationFailed, match="unknown or inactive category"):
        rules.create_rule(session, {"name": "X", "actions": {"category": "bestaat-niet"}}, None)
    with pytest.raises(Conflict, match="already called"):
        rules.create_rule(session, {**LAMP, "name": "straatverlichting"}, None)
    with pytest.raises(ValidationFailed, match="needs a name"):
        rules.create_rule(session, {**LAMP, "name": "  "}, None)
    assert session.scalar(select(func.count()).select_from(RoutingRule)) == before


def test_create_at_position_and_move(session):
    catalog_only(session)
    a = rules.create_rule(session, {**LAMP, "name": "A"}, None)
    b = rules.create_rule(session, {**LAMP, "name": "B"}, None)
    rules.create_rule(session, {**LAMP, "name": "C", "position": 1}, None)
    assert names(session) == ["C", "A", "B"]
    rules.move_rule(session, b.id, "up", None)
    assert names(session) == ["C", "B", "A"]
    rules.move_rule(session, a.id, "down", None)  # already last: nothing changes
    assert names(session) == ["C", "B", "A"]
    rules.update_rule(session, a.id, {"position": 1}, None)
    assert names(session) == ["A", "C", "B"]
    assert [r.position for r in rules.list_rules(session)] == [1, 2, 3]
    with pytest.raises(ValidationFailed):
        rules.move_rule(session, a.id, "sideways", None)
    with pytest.raises(NotFound):
        rules.move_rule(session, 999, "up", None)


def test_every_change_is_audited_with_before_and_after_and_bumps_versions(session):
    catalog_only(session)
    admin = f.user(session, "admin")
    rule = rules.create_rule(session, LAMP, admin)
    stamp = config_version.read(session)
    rules.update_rule(session, rule.id, {"actions": {"category": "wegen.straatverlichting", "priority": "high"}}, admin)
    rules.set_enabled(session, rule.id, False, admin)
    rules.delete_rule(session, rule.id, admin)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(rule.id),
                                                       AuditEntry.target_type == "routing_rule")
                              .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["routing_rule.create", "routing_rule.update", "routing_rule.disable",
                                          "routing_rule.delete"]
    assert entries[1].data["before"]["actions"] == LAMP["actions"]
    assert entries[1].data["after"]["actions"]["priority"] == "high"
    assert entries[1].data["after"]["version"] == 2 and entries[2].data["after"]["version"] == 3
    assert entries[3].data["after"] is None and entries[0].actor_email == admin.email
    assert config_version.read(session)[0] == stamp[0] + 3


def test_a_change_reaches_the_cached_rule_set_in_the_next_transaction(runtime, session):
    f.seeded(session)
    session.commit()
    item = routing.RouteInput(text="Er zwemt een krokodil in de vijver")
    with runtime.transaction() as other:
        assert routing.decide(other, item).department == "KCC"
    rules.create_rule(session, {"name": "Krokodil", "position": 1, "conditions": {"words": ["krokodil*"]},
                                "actions": {"department": "DIER"}}, None)
    session.commit()
    with runtime.transaction() as other:
        assert routing.decide(other, item).department == "DIER"


def test_no_query_per_message_within_a_transaction(runtime, session):
    f.seeded(session)
    session.commit()
    statements = []
    with runtime.transaction() as batch:
        routing.decide(batch, routing.RouteInput(text="warm up"))  # one stamp lookup per transaction
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(runtime.engine, "before_cursor_execute", listener)
        try:
            for text in ("lantaarnpaal kapot", "container vol", "gat in de weg") * 50:
                routing.decide(batch, routing.RouteInput(text=text))
        finally:
            event.remove(runtime.engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_stored_rule_that_no_longer_compiles_is_skipped_not_fatal(session):
    catalog_only(session)
    rule = rules.create_rule(session, LAMP, None)
    session.execute(RoutingRule.__table__.update().where(RoutingRule.id == rule.id)
                    .values(conditions={"regex": "(broken"}))
    session.expire_all()
    config_version.bump(session)
    ruleset = store.current_ruleset(session)
    assert rule.id in ruleset.broken and not ruleset.rules
    assert routing.decide(session, routing.RouteInput(text="straatlamp")).department == "KCC"


def test_stamp_row_is_created_on_first_change(session):
    assert session.get(AppState, config_version.STATE_KEY) is None
    catalog_only(session)
    session.execute(delete(AppState))
    rules.create_rule(session, LAMP, None)
    state = session.get(AppState, config_version.STATE_KEY)
    assert state.version == 1 and len(state.value["token"]) == 32


def test_seeding_updates_untouched_defaults_and_keeps_changed_ones(session, monkeypatch):
    """A new version's defaults replace seeded rules nobody changed; an administrator's edit is kept."""
    from webcare.services.routing import seeding

    f.seeded(session)
    originals = seeding.all_rules()
    first, second = originals[0], originals[1]
    edited = session.scalar(select(RoutingRule).where(RoutingRule.name == second["name"]))
    edited.description = "aangepast door beheer"
    session.flush()

    newer = [dict(rule) for rule in originals]
    newer[0] = {**first, "description": first["description"] + " (nieuwe versie)"}
    newer[1] = {**second, "description": second["description"] + " (nieuwe versie)"}
    monkeypatch.setattr(seeding, "all_rules", lambda: newer)
    assert seeding.seed_rules(session) == 0  # nothing added ...
    untouched = session.scalar(select(RoutingRule).where(RoutingRule.name == first["name"]))
    assert untouched.description.endswith("(nieuwe versie)") and untouched.version == 2  # ... but updated
    assert edited.description == "aangepast door beheer"
