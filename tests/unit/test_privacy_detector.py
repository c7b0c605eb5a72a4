"""The personal-data detector: checksums, formats, and precision/recall on a labelled table of Dutch texts.

tests/data/privacy_labelled.jsonl holds texts with and without personal data (hard negatives: order
numbers, 9-digit numbers failing the elfproef, amounts, dates that are not birth dates, times, house
numbers without postcode, role mailboxes, service numbers). A finding counts as right when its kind
matches a labelled finding and their spans overlap.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import DATA_DIR
from webcare.privacy import KINDS, redact, scan
from webcare.privacy.checks import dutch_national_number, iban_checks, is_bsn, is_licence_plate

LABELLED = DATA_DIR / "privacy_labelled.jsonl"


def _cases() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _expected_spans(case: dict) -> list[tuple[str, int, int]]:
    spans = []
    for finding in case["findings"]:
        start = case["text"].index(finding["text"])
        spans.append((finding["kind"], start, start + len(finding["text"])))
    return spans


def _evaluate(cases: list[dict]) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    mistakes = []
    for case in cases:
        expected = _expected_spans(case)
        unmatched = list(expected)
        for found in scan(case["text"]):
            hit = next((e for e in unmatched if e[0] == found.kind and found.start < e[2] and e[1] < found.end), None)
            if hit:
                unmatched.remove(hit)
                counts["tp", found.kind] += 1
            else:
                counts["fp", found.kind] += 1
                mistakes.append(f"false alarm #{case['id']}: {found.kind} {found.text!r} in {case['text']!r}")
        for kind, start, end in unmatched:
            counts["fn", kind] += 1
            mistakes.append(f"missed #{case['id']}: {kind} {case['text'][start:end]!r} in {case['text']!r}")
    return counts, mistakes


def _total(counts: Counter, outcome: str) -> int:
    return sum(n for (o, _kind), n in counts.items() if o == outcome)


def test_labelled_table_precision_and_recall(request, capsys):
    cases = _cases()
    assert len(cases) >= 100
    assert sum(1 for c in cases if c["findings"]) >= 40 and sum(1 for c in cases if not c["findings"]) >= 40
    counts, mistakes = _evaluate(cases)
    tp, fp, fn = _total(counts, "tp"), _total(counts, "fp"), _total(counts, "fn")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    lines = [f"privacy detector on {len(cases)} labelled texts: precision {precision:.1%}, recall {recall:.1%} "
             f"(tp {tp}, fp {fp}, fn {fn})"]
    for kind in KINDS:
        k_tp, k_fp, k_fn = counts["tp", kind], counts["fp", kind], counts["fn", kind]
        lines.append(f"  {kind:<22} tp {k_tp:>3}  fp {k_fp:>2}  fn {k_fn:>2}")
    report = "\n".join(lines + mistakes)
    with capsys.disabled():  # the figures are the point of this test: always show them
        print("\n" + report)
    request.node.user_properties.append(("privacy_precision", round(precision, 4)))
    request.node.user_properties.append(("privacy_recall", round(recall, 4)))
    assert precision >= 0.95, report
    assert recall >= 0.95, report


def test_every_kind_is_in_the_table():
    kinds = {f["kind"] for case in _cases() for f in case["findings"]}
    assert kinds == set(KINDS)


def test_findings_point_into_the_text():
    for case in _cases():
        found = scan(case["text"])
        for finding in found:
            assert case["text"][finding.start:finding.end] == finding.text
        spans = sorted((f.start, f.end) for f in found)
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False)), "findings overlap"


@pytest.mark.parametrize("number, valid", [
    ("123456782", True), ("111222333", True), ("725763863", True), ("1234.56.782", True), ("12345672", True),
    ("123456789", False), ("000000000", False), ("725763864", False), ("12345", False), ("1234567890", False),
])
def test_elfproef(number, valid):
    assert is_bsn(number) is valid


@pytest.mark.parametrize("iban, valid", [
    ("NL91ABNA0417164300", True), ("NL91 ABNA 0417 1643 00", True), ("BE68539007547034", True),
    ("DE89370400440532013000", True), ("GB29NWBK60161331926819", True), ("nl20ingb0001234567", True),
    ("NL91ABNA0417164301", False), ("NL91ABNA041716430", False), ("XX91ABNA0417164300", False),
    ("DE89370400440532013001", False),
])
def test_iban_mod97_and_length(iban, valid):
    assert iban_checks(iban) is valid


@pytest.mark.parametrize("raw, national", [
    ("0612345678", "612345678"), ("06-12345678", "612345678"), ("+31 6 12345678", "612345678"),
    ("0031612345678", "612345678"), ("+31 (0)20 123 4567", "201234567"), ("020-1234567", "201234567"),
    ("0511-123456", "511123456"), ("0800-1234567", None), ("0900-1234567", None), ("06-1234567", None),
    ("00441234567890", None),
])
def test_dutch_phone_numbers(raw, national):
    assert dutch_national_number(raw) == national


@pytest.mark.parametrize("plate, valid", [
    ("12-BXT-3", True), ("GZ-412-B", True), ("T-123-BG", True), ("1-KBR-23", True), ("XDS-12-F", True),
    ("AB-12-34", True),  # sidecode 1 (old plates may have vowels)
    ("12-ABC-3", False),  # vowels and C do not occur on new plates
    ("12-34-56", False), ("ABC-DEF-G", False), ("N-201", False),
])
def test_licence_plate_sidecodes(plate, valid):
    assert is_licence_plate(plate) is valid


def test_nothing_in_empty_or_plain_text():
    assert scan("") == []
    assert scan("Dank voor uw melding, wij pakken het op.") == []


@pytest.mark.parametrize("text, found", [
    ("We komen kijken bij 1234 ab 12.", "1234 ab 12"),
    ("Ophalen bij 1234 Ab 12 graag", "1234 Ab 12"),
    ("postcode 3512 je en huisnummer 14", "3512 je en huisnummer 14"),
    ("Sinds 1990 op 3 plekken overlast", None),
    ("In 2019 en 2021 al gemeld", None),
    ("Postcode: 1234 sa 5", None),  # SA, SD and SS are no Dutch postcode letters
])
def test_postcode_in_lower_case_apart_unless_a_common_word(text, found):
    findings = [f.text for f in scan(text) if f.kind == "postcode_house_number"]
    assert findings == ([found] if found else [])


@pytest.mark.parametrize("text, kind, found", [
    ("Bel me op 06\u00a012345678", "phone", "06\u00a012345678"),
    ("Mijn nummer: 06\u202f12\u202f34\u202f56\u202f78", "phone", "06\u202f12\u202f34\u202f56\u202f78"),
    ("IBAN NL91\u00a0ABNA\u00a00417\u00a01643\u00a000 graag", "iban", "NL91\u00a0ABNA\u00a00417\u00a01643\u00a000"),
    ("Dorpsstraat\u00a012,\u00a01234\u00a0AB", "postcode_house_number", "12,\u00a01234\u00a0AB"),
    ("BSN\u00a0111\u00a0222\u00a0333", "bsn", "111\u00a0222\u00a0333"),
])
def test_non_breaking_and_other_unicode_spaces_count_as_spaces(text, kind, found):
    findings = scan(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]
    assert all(text[f.start:f.end] == f.text for f in findings)


@pytest.mark.parametrize("text, found", [
    ("bsn 111-222-333", "111-222-333"),
    ("Mijn BSN is 123-456-782.", "123-456-782"),
    ("111-222-333", "111-222-333"),  # as with dots or spaces, the elfproef alone is enough
    ("ordernummer 111-222-333, bsn 123-456-782", "123-456-782"),
    ("bsn 111-222-334", None),  # fails the elfproef
    ("ordernummer 111-222-333", None),  # another label and no "bsn"
    ("€ 111-222-333", None),
    ("111-222-333-4", None),
    ("111-222.333", None),  # mixed separators
])
def test_bsn_written_with_dashes_in_groups_of_three(text, found):
    assert [f.text for f in scan(text) if f.kind == "bsn"] == ([found] if found else [])


@pytest.mark.parametrize("text, found", [
    ("Dorpsstraat 12a, 1234 AB", "12a, 1234 AB"),
    ("Dorpsstraat 12-A, 1234 AB", "12-A, 1234 AB"),
    ("Dorpsstraat 12 bis, 1234 AB Dorp", "12 bis, 1234 AB"),
    ("Dorpsstraat 12-2, 1234 AB", "12-2, 1234 AB"),
    ("Dorpsstraat 12 hs, 1234 AB", "12 hs, 1234 AB"),
    ("Dorpsstraat 12 III 1234AB", "12 III 1234AB"),
    ("1234 AB 12 bis", "1234 AB 12 bis"),
    ("huisnummer 8 hs postcode 9711 LV", "8 hs postcode 9711 LV"),
])
def test_house_number_with_a_suffix(text, found):
    assert [f.text for f in scan(text) if f.kind == "postcode_house_number"] == [found]


@pytest.mark.parametrize("text, found", [
    ("1234 AB Dorpsstraat 5", "1234 AB Dorpsstraat 5"),
    ("Adres: 1234AB Dorpsstraat 5a.", "1234AB Dorpsstraat 5a"),
    ("1234 AB, Dorpsstraat 12 bis", "1234 AB, Dorpsstraat 12 bis"),
    ("1234AB Den Haag, Laan van Meerdervoort 5 graag", "1234AB Den Haag, Laan van Meerdervoort 5"),
    ("1234 AB Dorpsstraat 5 minuten", None),  # a duration, not a house number
    ("1234 AB Utrecht is al 3 weken kapot", None),
    ("2000 AB Postbus 12", None),
])
def test_postcode_written_before_the_street(text, found):
    assert [f.text for f in scan(text) if f.kind == "postcode_house_number"] == ([found] if found else [])


@pytest.mark.parametrize("text, kind, found", [
    ("Bel me op 06\u200b12345678", "phone", "06\u200b12345678"),
    ("06-1234\u200c5678 graag", "phone", "06-1234\u200c5678"),
    ("BSN 1112\u200d22333", "bsn", "1112\u200d22333"),
    ("IBAN NL91ABNA\u20600417164300", "iban", "NL91ABNA\u20600417164300"),
    ("\ufeffBel 0612345678", "phone", "0612345678"),
    ("\u200bx\u200b 06\u00a0\u200b1234\u200b5678\u200b.", "phone", "06\u00a0\u200b1234\u200b5678"),
])
def test_zero_width_characters_do_not_hide_a_number(text, kind, found):
    findings = scan(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]
    assert all(text[f.start:f.end] == f.text for f in findings)


@pytest.mark.parametrize("text, found", [
    ("Mijn dochter is op 1 januari 2025 geboren", "1 januari 2025"),  # a recent birth date is still one
    ("op 1 januari 2025 geboren", "1 januari 2025"),
    ("De container is op 1 januari 2025 geleegd", None),
    ("Ze wordt op 1 januari 2099 geboren", None),  # not a date in the past: no birth date (yet)
])
def test_a_date_just_before_geboren_is_a_birth_date(text, found):
    """Decided, not a false alarm: a full date next to "geboren" is a date of birth, also a recent one
    (docs/PRIVACY.md, "Decisions")."""
    assert [(f.kind, f.text) for f in scan(text)] == ([("birth_date", found)] if found else [])


def test_redact_puts_the_kind_in_place_of_each_finding():
    assert redact("Bel 06\u200b12345678 of mail jan@example.nl, bsn 111-222-333.") == \
        "Bel [phone] of mail [email], bsn [bsn]."
    assert redact("Dank voor uw melding.") == "Dank voor uw melding."
    assert redact("") == ""
