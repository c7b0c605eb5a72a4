"""Schemas of the personal-data scan (used by the reply composer before sending)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ScanBodySchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=20000))


class FindingSchema(Schema):
    kind = fields.String(required=True, metadata={
        "description": "bsn | iban | phone | email | postcode_house_number | birth_date | licence_plate"})
    text = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)


class ScanResultSchema(Schema):
    findings = fields.List(fields.Nested(FindingSchema), required=True)
