"""Routing endpoints: the route preview (any staff) and the rules (administrators only)."""

from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from webcare.api import bp, json_body
from webcare.api.paging import QUERY, page_of
from webcare.api.spec import endpoint
from webcare.auth import current
from webcare.errors import Forbidden, ValidationFailed
from webcare.extensions import db
from webcare.models import RoutingRule
from webcare.schemas.common import page_schema
from webcare.schemas.routing import (
    RouteDecisionSchema,
    RoutePreviewSchema,
    RuleInputSchema,
    RuleSchema,
    RuleUpdateSchema,
)
from webcare.services import routing
from webcare.services.routing import rules
from webcare.web.request_origin import origin

RulePage = page_schema(RuleSchema, "RulePage")


def _body(schema: Schema) -> dict:
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("send a JSON object as the request body")
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("the request body is not valid", fields=exc.messages_dict) from None


def _admin() -> None:
    if current().role != "admin":
        raise Forbidden("only administrators manage routing rules")


@endpoint(bp, "/route-preview", "POST", summary="Which rule, category, department and priority a message would get",
          body=RoutePreviewSchema(), response=RouteDecisionSchema(), errors=(400,), tag="routing")
def route_preview():
    data = _body(RoutePreviewSchema())
    data["visibility"] = data["visibility"] or ("private" if data["kind"] == "dm" else "public")
    decision = routing.decide(db(), routing.RouteInput(**data))
    return jsonify(RouteDecisionSchema().dump(decision.to_dict()))


@endpoint(bp, "/rules", "GET", summary="All routing rules in evaluation order (admin)", response=RulePage(),
          query=QUERY, errors=(400, 403), tag="routing")
def list_rules():
    _admin()
    page = page_of(db(), select(RoutingRule), rules.EVALUATION_ORDER)
    return jsonify(items=RuleSchema(many=True).dump(page.items), next_cursor=page.next_cursor)


@endpoint(bp, "/rules", "POST", summary="Add a routing rule (admin); refused if it does not compile",
          body=RuleInputSchema(), response=RuleSchema(), status=201, errors=(400, 403, 409), tag="routing")
def create_rule():
    _admin()
    rule = rules.create_rule(db(), _body(RuleInputSchema()), current(), origin())
    db().commit()
    return jsonify(RuleSchema().dump(rule)), 201


@endpoint(bp, "/rules/<int:rule_id>", "GET", summary="One routing rule (admin)", response=RuleSchema(),
          errors=(403, 404), tag="routing")
def get_rule(rule_id: int):
    _admin()
    return jsonify(RuleSchema().dump(rules.get_rule(db(), rule_id)))


@endpoint(bp, "/rules/<int:rule_id>", "PUT", summary="Change a routing rule (admin); only the fields sent",
          body=RuleUpdateSchema(), response=RuleSchema(), errors=(400, 403, 404, 409), tag="routing")
def update_rule(rule_id: int):
    _admin()
    rule = rules.update_rule(db(), rule_id, _body(RuleUpdateSchema()), current(), origin())
    db().commit()
    return jsonify(RuleSchema().dump(rule))


@endpoint(bp, "/rules/<int:rule_id>", "DELETE", summary="Delete a routing rule (admin)", status=204,
          errors=(403, 404), tag="routing")
def delete_rule(rule_id: int):
    _admin()
    rules.delete_rule(db(), rule_id, current(), origin())
    db().commit()
    return "", 204
