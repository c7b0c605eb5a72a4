"""Keyword matching for all rules at once: trie-shaped regular expressions, not a loop over rules.

Term syntax (case- and diacritics-insensitive, whole words by default):

| term            | matches                                                             |
| --------------- | ------------------------------------------------------------------- |
| `lantaarnpaal`  | the whole word (not `lantaarnpalen`; `rat` does not match `straat`) |
| `gat in de weg` | the words in this order; any spaces or punctuation between them     |
| `container*`    | words that start with it: `containers`, `containerpark`             |
| `*lamp`         | words that end with it: `straatlamp`, `bureaulamp`                  |
| `*lamp*`        | words that contain it: `straatlampen`                               |

A leading `*` applies to the first word of a phrase, a trailing `*` to the last.

All terms of all rules are compiled into one Aho-Corasick automaton (pyahocorasick, in C), so a
message is scanned once whatever the number of rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from webcare.services.routing.text import normalise, term_words

MIN_WILDCARD_LETTERS = 3
_NOTHING: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Term:
    words: str  # normalised words separated by single spaces
    leading: bool = False  # "*x": any letters before
    trailing: bool = False  # "x*": any letters after

    def __str__(self) -> str:
        return ("*" if self.leading else "") + self.words + ("*" if self.trailing else "")


def parse_term(raw: str) -> Term:
    """Parse one keyword; raise ValueError with a message people understand."""
    if not isinstance(raw, str):
        raise ValueError("a keyword must be text")
    text = raw.strip()
    leading, trailing = text.startswith("*"), text.endswith("*") and len(text) > 1
    inner = text[1 if leading else 0: len(text) - 1 if trailing else len(text)]
    if "*" in inner:
        raise ValueError(f"'{raw}': a * is only allowed at the start or the end of a keyword")
    if not normalise(inner).isascii():
        raise ValueError(f"'{raw}': keywords are matched on Latin letters and digits (accents are ignored)")
    words = term_words(inner)
    if not words:
        raise ValueError(f"'{raw}': a keyword needs at least one letter or digit")
    if (leading or trailing) and len(words.replace(" ", "")) < MIN_WILDCARD_LETTERS:
        raise ValueError(f"'{raw}': a keyword with * needs at least {MIN_WILDCARD_LETTERS} letters")
    return Term(words, leading, trailing)


class KeywordMatcher:
    """All keywords of all rules in one Aho-Corasick automaton over the word text.

    The word text is " word word ... word " (see `text.word_text`), so word boundaries are spaces
    and live in the keys: " rat " is the whole word, " container" a word start, "lamp " a word end,
    "lamp" anywhere in a word. One scan finds every occurrence, overlapping ones included; the
    cost depends on the length of the message, hardly on the number of keywords.
    """

    def __init__(self, terms: dict[Term, set[int]]):
        self._automaton = ahocorasick.Automaton()
        for term, payload in terms.items():
            self._automaton.add_word(automaton_key(term), frozenset(payload))
        self.term_count = len(terms)
        self._automaton.make_automaton()

    def match(self, words: str) -> frozenset[int]:
        """The payloads (e.g. rule leaf ids) of all terms found in a word text."""
        hits = [payload for _end, payload in self._automaton.iter(words)]
        if len(hits) < 2:
            return hits[0] if hits else _NOTHING
        return _NOTHING.union(*hits)


def automaton_key(term: Term) -> str:
    return ("" if term.leading else " ") + term.words + ("" if term.trailing else " ")
