"""Keyword matching: whole words, phrases, wildcards for Dutch compounds, case and accents."""

from __future__ import annotations

import pytest

from webcare.services.routing.matcher import KeywordMatcher, parse_term
from webcare.services.routing.text import guess_language, normalise, word_text

TERMS = ["rat", "straat", "*lamp", "container*", "gat in de weg", "gat", "lamp", "kapotte lamp",
         "lamp brandt niet", "*lamp*", "café", "e-mail"]


def found(text: str) -> set[str]:
    matcher = KeywordMatcher({parse_term(term): {i} for i, term in enumerate(TERMS)})
    return {TERMS[i] for i in matcher.match(word_text(normalise(text)))}


@pytest.mark.parametrize("text, expected", [
    ("De straat is vies", {"straat"}),                              # `rat` is not in `straat`
    ("Een RAT!", {"rat"}),
    ("Er zit een GAT, in de  weg!", {"gat", "gat in de weg"}),      # punctuation and spaces between words
    ("gatenkaas", set()),
    ("straatlamp kapot", {"*lamp", "*lamp*"}),                     # `*lamp` matches the compound
    ("straatlampen kapot", {"*lamp*"}),                             # not a word that ends in lamp
    ("de containers zijn vol", {"container*"}),
    ("kapotte lamp brandt niet", {"kapotte lamp", "lamp brandt niet", "lamp", "*lamp", "*lamp*"}),  # overlaps
    ("Het Cafe\u0301 is dicht 😡", {"café"}),                       # combining accent, emoji
    ("CAFÉ", {"café"}),
    ("stuur een email", set()),
    ("stuur een e-mail", {"e-mail"}),
])
def test_matching(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("raw, problem", [
    ("*", "at least"), ("a*b", "only allowed"), ("*ab", "at least 3"), ("!!", "at least one"),
    ("łódź", "Latin letters"), (12, "text"),
])
def test_bad_terms_are_refused(raw, problem):
    with pytest.raises(ValueError, match=problem):
        parse_term(raw)


def test_terms_are_normalised():
    assert str(parse_term("  Gat in de   WEG ")) == "gat in de weg"
    assert str(parse_term("Straat*")) == "straat*"
    assert str(parse_term("*Lantaarn")) == "*lantaarn"


@pytest.mark.parametrize("text, language", [
    ("De lamp bij ons in de straat is kapot", "nl"),
    ("The street light outside our house has been broken for weeks", "en"),
    ("👍", None),
])
def test_language_guess(text, language):
    assert guess_language(word_text(normalise(text))) == language


def test_cost_does_not_depend_on_rule_count():
    """One automaton: 10,000 terms are matched in one scan (functional check; speed is in bench/)."""
    terms = {parse_term(f"woord{i}"): {i} for i in range(10_000)}
    assert KeywordMatcher(terms).match(word_text("er staat woord9999 en woord17 hier")) == {9999, 17}
