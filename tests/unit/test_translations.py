"""Everything shown to a person is translated to Dutch, and the compiled catalog is current."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
PO = ROOT / "webcare/translations/nl/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}


def _extracted() -> set[str]:
    found: set[str] = set()
    methods = [("webcare/**.py", "python"), ("templates/**.html", "jinja2")]
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map=methods,
                                                                           keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def test_every_message_has_a_dutch_translation():
    catalog = read_po(BytesIO(PO.read_bytes()))
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    missing = sorted(m for m in _extracted() if not translated.get(m))
    assert not missing, "untranslated (run `make translations` and translate): " + "; ".join(missing[:20])


def _plain(value):
    """A message id or string, hashable and comparable (plural forms come as lists or tuples)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_compiled_catalog_matches_the_po_file():
    po = {_plain(m.id): _plain(m.string) for m in read_po(BytesIO(PO.read_bytes())) if m.id and m.string}
    mo = {_plain(m.id): _plain(m.string) for m in read_mo(BytesIO(MO.read_bytes())) if m.id}
    assert po == mo, "messages.mo is stale: run `make translations`"


def test_every_ticket_event_has_a_label():
    from webcare.models.ticket_event import EVENT_TYPES
    from webcare.web.ticket_format import EVENT_LABELS

    assert set(EVENT_TYPES) <= set(EVENT_LABELS)
