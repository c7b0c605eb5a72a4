"""Personal-data scan for the reply composer: the same detector the guard on public replies uses."""

from __future__ import annotations

from flask import jsonify
from marshmallow import ValidationError

from webcare.api import bp, json_body
from webcare.api.spec import endpoint
from webcare.errors import ValidationFailed
from webcare.schemas.privacy import ScanBodySchema, ScanResultSchema
from webcare.services.privacy_guard import check_public_text, findings_json


@endpoint(bp, "/privacy/scan", "POST",
          summary="Personal data found in a text (BSN, IBAN, phone, e-mail, ...)",
          body=ScanBodySchema(), response=ScanResultSchema(), errors=(400,), tag="privacy")
def scan():
    try:
        data = ScanBodySchema().load(json_body() or {})
    except ValidationError as exc:
        raise ValidationFailed("send {\"text\": \"...\"}", fields=exc.messages_dict) from exc
    return jsonify(ScanResultSchema().dump({"findings": findings_json(check_public_text(data["text"]))}))
