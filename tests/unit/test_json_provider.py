"""The app's JSON (orjson, webcare.json_provider) says what Flask's own provider says."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext
from markupsafe import Markup

from webcare.json_provider import OrjsonProvider


@dataclass
class Point:
    x: int
    label: str


VALUES = {
    "text": "Straatlantaarn kapot bij café “De Hoek” €5 🚲",
    "numbers": [0, -1, 2**63 - 1, 1.5, 1e-7, 12345.678],
    "flags": [True, False, None],
    "when": datetime(2026, 12, 5, 12, 30, 15, 123456, tzinfo=UTC),
    "day": date(2026, 1, 2),
    "money": Decimal("1.10"),
    "id": uuid.UUID(int=5),
    "point": Point(3, "a"),
    "markup": Markup("<b>vet</b>"),
    7: "a key that is a number",
    "nested": {"z": [{"b": 1, "a": 2}], "a": {}},
}


def test_same_data_as_flasks_own_provider(app):
    theirs = DefaultJSONProvider(app)
    theirs.sort_keys = False  # as the app had it
    with app.app_context():
        ours = app.json.dumps(VALUES)
        assert isinstance(app.json, OrjsonProvider)
        assert json.loads(ours) == json.loads(theirs.dumps(VALUES))
    decoded = json.loads(ours)
    assert decoded["when"] == "Sat, 05 Dec 2026 12:30:15 GMT"  # an HTTP date, as Flask writes it
    assert decoded["7"] == "a key that is a number"


def test_keys_in_the_order_the_code_gives_them(app):
    with app.app_context():
        assert app.json.dumps({"b": 1, "a": 2, "c": {"z": 1, "y": 2}}) == '{"b":1,"a":2,"c":{"z":1,"y":2}}'
        assert app.json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a":2,"b":1}'


def test_lazy_texts_and_other_objects_go_through_flasks_default(app):
    with app.test_request_context():
        assert json.loads(app.json.dumps({"t": lazy_gettext("Inbox")})) == {"t": str(lazy_gettext("Inbox"))}
        with pytest.raises(TypeError, match="not JSON serializable"):
            app.json.dumps({"x": object()})


def test_what_orjson_cannot_encode_is_encoded_by_json(app):
    with app.app_context():
        assert app.json.dumps({"big": 2**70}) == '{"big": 1180591620717411303424}'
        assert app.json.dumps([1, 2], indent=4) == json.dumps([1, 2], indent=4)
        assert app.json.dumps([1, 2], separators=(", ", ": ")) == "[1, 2]"


def test_a_response_is_utf8_json(app):
    with app.app_context():
        response = app.json.response(melding="Fiets weg bij café")
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"melding":"Fiets weg bij café"}\n'.encode()


def test_tojson_in_templates_stays_safe_in_html(app):
    with app.app_context():
        rendered = app.jinja_env.from_string("{{ data|tojson }}").render(data={"b": "</script>", "a": 1})
    assert rendered == '{"a":1,"b":"\\u003c/script\\u003e"}'
