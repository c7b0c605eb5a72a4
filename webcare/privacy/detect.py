"""The detectors: candidate patterns, checksums and context rules that keep false alarms low.

Each detector yields `Finding`s; `scan` runs them in order of confidence and keeps a later finding only
where it does not overlap an earlier one (an IBAN's digits are not also a phone number or a BSN).
Findings inside a URL are ignored, except e-mail addresses. See docs/PRIVACY.md for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from webcare.privacy import checks


@dataclass(frozen=True)
class Finding:
    kind: str  # bsn | iban | phone | email | postcode_house_number | birth_date | licence_plate
    text: str
    start: int
    end: int


KINDS = ("email", "iban", "phone", "licence_plate", "birth_date", "postcode_house_number", "bsn")

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# -- e-mail ------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# Generic role addresses of organisations are not a person's data (AVG art. 4: no identifiable person).
ROLE_MAILBOXES = frozenset({
    "info", "webcare", "contact", "klantcontact", "klantenservice", "service", "servicedesk", "helpdesk",
    "support", "post", "postbus", "gemeente", "noreply", "no-reply", "secretariaat", "communicatie", "pers",
    "press", "privacy", "fg", "avg", "meldpunt", "meldingen", "vergunningen", "belastingen", "receptie",
    "administratie", "facturen", "klachten", "webmaster", "office", "balie", "publiekszaken", "burgerzaken",
    "afval", "handhaving", "wmo", "jeugd", "werk", "inkomen", "kcc",
})


def _emails(text: str) -> Iterator[Finding]:
    for m in _EMAIL.finditer(text):
        local = m.group(0).split("@", 1)[0].lower()
        if local not in ROLE_MAILBOXES:
            yield Finding("email", m.group(0), m.start(), m.end())


# -- IBAN --------------------------------------------------------------------------------------------
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?= ?[A-Za-z0-9])")


def _ibans(text: str) -> Iterator[Finding]:
    for m in _IBAN_START.finditer(text):
        length = checks.IBAN_LENGTHS.get(m.group(0)[:2].upper())
        end = _walk_alnum(text, m.start(), length) if length else None
        if end is not None and checks.iban_checks(text[m.start():end]):
            yield Finding("iban", text[m.start():end], m.start(), end)


def _walk_alnum(text: str, start: int, count: int) -> int | None:
    """The end of `count` letters/digits from `start`, single spaces allowed between; None if cut short."""
    seen, i = 0, start
    while i < len(text) and seen < count:
        if text[i].isascii() and text[i].isalnum():
            seen += 1
        elif not (text[i] == " " and seen % 4 == 0 and i + 1 < len(text) and text[i + 1].isalnum()):
            return None
        i += 1
    if seen < count or (i < len(text) and text[i].isalnum()):
        return None
    return i


# -- phone numbers -----------------------------------------------------------------------------------
_SEP = r"(?:\)?(?: ?[-–./] ?| ))?"
_PHONE = re.compile(
    r"(?<![\w+/@])(?:(?:\+|00)31[ -]?(?:\(0\)[ -]?)?|\(?0)[1-9]" + rf"(?:{_SEP}\d){{8}}(?![\d-]|[.,:]\d)"
)
_DATE_SHAPE = re.compile(r"\(?\d{1,2}([-/.])\d{1,2}\1(?:(?:19|20)\d{2}|\d{2}(?![-./ ]?\d))")
_IBAN_HEAD = re.compile(r"[A-Za-z]{2}\d{2} ?[A-Za-z]{4} ?$")


def _phones(text: str) -> Iterator[Finding]:
    for m in _PHONE.finditer(text):
        candidate = m.group(0)
        if _DATE_SHAPE.match(candidate) or _after_amount_sign(text, m.start()) or \
                _IBAN_HEAD.search(text, max(0, m.start() - 12), m.start()):
            continue
        if checks.dutch_national_number(candidate) is not None:
            yield Finding("phone", candidate, m.start(), m.end())


# -- licence plates ----------------------------------------------------------------------------------
_PLATE = re.compile(r"(?<![\w-])[A-Za-z0-9]{1,3}[-][A-Za-z0-9]{2,3}[-][A-Za-z0-9]{1,3}(?![\w-])")
_PLATE_COMPACT = re.compile(r"(?<![\w-])[A-Za-z0-9]{6}(?![\w-])")
_PLATE_CONTEXT = re.compile(r"\b(?:kenteken|nummerbord|kentekenplaat|license plate|licence plate)\w*\b", re.I)
_COMPACT_SHAPES = {shape.replace("-", ""): shape for shape in checks.PLATE_SIDECODES}


def _plates(text: str) -> Iterator[Finding]:
    for m in _PLATE.finditer(text):
        plate = m.group(0)
        in_context = plate.isupper() or _has_context(text, m.start(), _PLATE_CONTEXT, 25)
        if in_context and checks.is_licence_plate(plate):
            yield Finding("licence_plate", plate, m.start(), m.end())
    for m in _PLATE_COMPACT.finditer(text):
        plate = m.group(0)
        shape = _COMPACT_SHAPES.get(checks.plate_shape(plate))
        if shape and _has_context(text, m.start(), _PLATE_CONTEXT, 25) and checks.is_licence_plate(
                _with_dashes(plate, shape)):
            yield Finding("licence_plate", plate, m.start(), m.end())


def _with_dashes(compact: str, shape: str) -> str:
    chars = iter(compact)
    return "".join("-" if s == "-" else next(chars) for s in shape)


# -- dates of birth ----------------------------------------------------------------------------------
_MONTHS = {name: i + 1 for i, names in enumerate([
    "januari jan", "februari feb", "maart mrt mar", "april apr", "mei", "juni jun", "juli jul",
    "augustus aug", "september sep sept", "oktober okt oct", "november nov", "december dec",
]) for name in names.split()}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = (r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4}|'?\d{2})(?!\d)"
         r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d)"
         rf"|(?P<wd>\d{{1,2}})\s+(?P<wm>{_MONTH_NAMES})\.?\s+(?P<wy>\d{{4}}|'\d{{2}})(?!\d)")
_BIRTH = re.compile(
    r"\b(?:geboren|geb\.?|geboortedatum|geboortedag|geb\.?\s?datum|date of birth|born|d\.?o\.?b\.?)"
    rf"[^\d\n]{{0,20}}?(?P<date>{_DATE})",
    re.IGNORECASE,
)
_BIRTH_AFTER = re.compile(rf"(?<!\d)(?P<date>{_DATE})[^\d\n.;]{{0,12}}?\b(?:geboren|born)\b", re.IGNORECASE)


def _birth_dates(text: str) -> Iterator[Finding]:
    for m in (*_BIRTH.finditer(text), *_BIRTH_AFTER.finditer(text)):
        if _plausible_birth_date(m):
            yield Finding("birth_date", m.group("date"), m.start("date"), m.end("date"))


def _plausible_birth_date(m: re.Match) -> bool:
    if m.group("iy"):
        y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
    elif m.group("wy"):
        y, mo, d = _year(m.group("wy")), _MONTHS[m.group("wm").lower()], int(m.group("wd"))
    else:
        y, mo, d = _year(m.group("y")), int(m.group("m")), int(m.group("d"))
    try:
        born = date(y, mo, d)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def _year(text: str) -> int:
    text = text.lstrip("'")
    if len(text) == 4:
        return int(text)
    two = int(text)
    return 2000 + two if 2000 + two <= date.today().year else 1900 + two


# -- postcode with house number ----------------------------------------------------------------------
# Upper case with or without a space; lower case written together, or apart (also "Ab") when the letters are
# not a common two-letter word ("in 2023 en 2024", "sinds 1990 op 3 plekken"); after "postcode" any case.
_COMMON_PAIRS = ("en|de|op|in|is|te|om|of|na|al|ik|je|we|ze|er|nu|zo|ja|ga|ok|to|at|an|as|by|he|me|my|no|so|up|us|"
                 "or|if|it|be|do|go|am|pm|km|cm|mm|kg|gr|ml|cl|dl|ha|tv|pc|id|mn|zn|hr|mw|dr|ir|mr|st|nr")
_PC = (r"(?P<pc>[1-9]\d{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2}"
       rf"| (?!(?i:sa|sd|ss|{_COMMON_PAIRS})(?![\w]))[A-Za-z][a-z]))(?![\w])")
_PC_NAMED = r"(?i:\bpostcode)\s*(?:is\s*)?:?\s*(?P<pc>[1-9]\d{3} ?(?!(?i:sa|sd|ss))[a-zA-Z]{2})(?![\w])"
# A house number with its suffix ("toevoeging"): a letter (12a, 12-A), a number (12-2), or a word such as bis, hs
# (huis), bg (begane grond), 2hg (hoog), boven, or a roman floor (12 II).
_SUFFIX = r"(?:[a-zA-Z]|(?i:bis|hs|bgg?|[1-9]?hg|huis|boven|beneden|zw|rd|ii|iii|iv))"
_NUM = rf"(?P<num>\d{{1,5}}(?:[ -]?{_SUFFIX}(?![\w])|-\d{{1,3}})?)"
# A street name starts a word and is at most 60 characters: unbounded `\w+` tried at every position of a long
# run of letters made the scan quadratic (100,000 zeros took minutes; tests/fuzz/test_parsers.py).
_STREET = (r"\b(?!Postbus\b|Antwoordnummer\b)(?:[A-Z][\w'.-]{1,60}"
           r"|\w{1,60}(?:straat|weg|laan|plein|gracht|kade|dijk|singel|hof|pad|steeg|dreef|markt|park))")
_ADDRESS_FORWARD = re.compile(rf"{_STREET}\s+{_NUM}\s*,?\s*{_PC}")
# After a number that follows a postcode: not a time, amount, distance or duration ("1234 AB 5 minuten").
_NUM_END = r"(?![\w]|[.:,]\d|\s?(?:uur|euro|km|meter|jaar|dagen|weken|minuten|procent|%))"
_THEN_NUMBER = rf"\s*,?\s*(?:(?:en|met)\s+)?(?:(?:het\s+)?(?:huis)?(?:nummer|nr\.?|no\.?)\s*:?\s*)?{_NUM}{_NUM_END}"
_ADDRESS_BACKWARD = re.compile(_PC + _THEN_NUMBER)
_ADDRESS_NAMED = re.compile(_PC_NAMED + _THEN_NUMBER)
# The postcode first, then (a place and) the street: "1234 AB Dorpsstraat 5", "1234AB Den Haag, Laan van
# Meerdervoort 5". Street words after the first are capitalised or a name particle; a place ends in a comma.
_PLACE = r"(?:[A-Z][\w'.-]{1,40}(?:[ -][A-Z][\w'.-]{1,40})?\s*,\s*)?"
_STREET_REST = r"(?:\s(?:van|de|der|den|het|'t|aan|op|[A-Z][\w'.-]{1,40})){0,3}"
_ADDRESS_PC_FIRST = re.compile(rf"{_PC}\s*,?\s*{_PLACE}{_STREET}{_STREET_REST}\s+{_NUM}{_NUM_END}")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_ADDRESS_LABELLED = re.compile(
    rf"\b(?i:(?:huis)?(?:nummer|nr\.?))\s*:?\s*{_NUM}(?![\w])[^\d\n]{{0,30}}?{_PC}"
)


def _addresses(text: str) -> Iterator[Finding]:
    for pattern, first in ((_ADDRESS_FORWARD, "num"), (_ADDRESS_BACKWARD, "pc"), (_ADDRESS_NAMED, "pc"),
                           (_ADDRESS_LABELLED, "num"), (_ADDRESS_PC_FIRST, "pc")):
        for m in pattern.finditer(text):
            last = "pc" if first == "num" else "num"
            if _YEAR.fullmatch(m.group("num")):
                continue  # "in 2023 EN 2024": a year, not a house number
            start, end = m.start(first), m.end(last)
            yield Finding("postcode_house_number", text[start:end], start, end)


# -- BSN ---------------------------------------------------------------------------------------------
_BSN = re.compile(
    r"(?<![\w.,/+€-])(?:\d{4}\.\d{2}\.\d{3}|\d{3}([ .-])\d{3}\1\d{3}|\d{9}|\d{8})(?![\w€]|[.,/-]\d)"
)
_BSN_CONTEXT = re.compile(r"\b(?:bsn|burger\s?service\s?nummer|burgerservicenr|sofi\s?-?nummer)\b", re.I)
_OTHER_NUMBER = re.compile(
    r"\b(?:order|bestel|factuur|zaak|melding|klant|dossier|referentie|kenmerk|ticket|artikel|polis|contract|"
    r"aanvraag|registratie|lid|pas|track|tracking|zending|pakket|relatie|debiteur|vergunning|kvk|btw|"
    r"rekening|"
    r"aanslag|beschikking|project|documentnummer|meter|ean|serie|bon|transactie)\w*\b",
    re.I,
)
_AMOUNT_AFTER = re.compile(r"\s?(?:,-|,\d|euro|eur\b)", re.I)


def _bsns(text: str) -> Iterator[Finding]:
    for m in _BSN.finditer(text):
        digits = checks.digits_of(m.group(0))
        labelled = _has_context(text, m.start(), _BSN_CONTEXT, 40)
        if not checks.is_bsn(digits) or (len(digits) == 8 and not labelled):
            continue
        if not labelled and (_has_context(text, m.start(), _OTHER_NUMBER, 30) or _is_amount(text, m)):
            continue
        yield Finding("bsn", m.group(0), m.start(), m.end())


def _is_amount(text: str, m: re.Match) -> bool:
    return _after_amount_sign(text, m.start()) or bool(_AMOUNT_AFTER.match(text, m.end()))


# -- shared helpers ----------------------------------------------------------------------------------
def _after_amount_sign(text: str, start: int) -> bool:
    before = text[max(0, start - 5):start].lower()
    return "€" in before or "eur" in before


def _has_context(text: str, start: int, pattern: re.Pattern, window: int) -> bool:
    return pattern.search(text, max(0, start - window), start) is not None


# Spaces other than the ASCII one, read as one: "06\u00a012345678" (a non-breaking space keeps a number on one line,
# as Dutch typography and word processors do) is the same number. Invisible characters (zero-width space and
# joiners, word joiner, byte order mark) are read as nothing: "06\u200b12345678" must not hide a number.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SPACES = str.maketrans({
    **dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys(_INVISIBLE, None),
})


def _normalised(text: str) -> tuple[str, list[int] | None]:
    """The text as the detectors read it, and where each of its characters is in `text` (None: the same place)."""
    plain = text.translate(_SPACES)
    if len(plain) == len(text):
        return plain, None
    return plain, [i for i, ch in enumerate(text) if ch not in _INVISIBLE]


def _in_original(finding: Finding, places: list[int] | None) -> tuple[int, int]:
    """The finding's span in the original text (which may hold invisible characters inside it)."""
    if places is None:
        return finding.start, finding.end
    return places[finding.start], places[finding.end - 1] + 1


DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _emails, _ibans, _phones, _plates, _birth_dates, _addresses, _bsns,
)


def scan(text: str) -> list[Finding]:
    """The personal data in `text`, in order of appearance, without overlaps."""
    if not text:
        return []
    # Masks of the characters inside a URL and inside a kept finding: the overlap test of a finding costs its
    # own length, not the number of findings so far ("06 " * 30,000 has 10,000 phone-like findings).
    in_url = bytearray(len(text))
    for m in _URL.finditer(text):
        in_url[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    taken = bytearray(len(text))
    kept: list[Finding] = []
    plain, places = _normalised(text)
    for detector in DETECTORS:
        for finding in detector(plain):
            start, end = _in_original(finding, places)
            if finding.kind != "email" and any(in_url[start:end]):
                continue
            if not any(taken[start:end]):
                kept.append(replace(finding, text=text[start:end], start=start, end=end))
                taken[start:end] = b"\x01" * (end - start)
    return sorted(kept, key=lambda f: f.start)


def redact(text: str) -> str:
    """`text` with each finding replaced by its kind in brackets: "Bel 06-12345678" -> "Bel [phone]"."""
    parts, done = [], 0
    for finding in scan(text):
        parts += [text[done:finding.start], f"[{finding.kind}]"]
        done = finding.end
    return "".join(parts) + text[done:]
