"""Text handling for routing: one normalisation for messages and keywords, and a small language guess.

Matching is case- and diacritics-insensitive: both the message and the keywords are case-folded and
stripped of combining accents ("Café" and "cafe" are equal, "ĳ" becomes "ij"). Punctuation is kept
in the normalised message so regular expressions can still use it; keywords are reduced to words
separated by single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
SEPARATORS = re.compile(r"\W+")

_DUTCH = frozenset(["de", "het", "een", "en", "van", "ik", "je", "jij", "u", "wij", "niet", "dat", "die", "er", "op", "met", "voor", "naar", "bij", "nog", "al", "weer", "ook", "maar", "wel", "kan", "kunnen", "wordt", "worden", "heeft", "hebben", "zijn", "mijn", "onze", "jullie", "hier", "daar", "staat", "ligt", "al", "sinds", "graag", "bedankt", "gemeente", "straat"])
_ENGLISH = frozenset(["the", "a", "an", "and", "of", "i", "you", "are", "not", "that", "this", "there", "on", "with", "for", "to", "at", "still", "again", "also", "but", "can", "could", "please", "been", "has", "have", "my", "our", "your", "here", "since", "thanks", "street", "city", "council"])


def normalise(text: str) -> str:
    """Lower case (case-folded) without diacritics; punctuation and spacing are kept."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded))


_WORD_BYTES = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256)).lower()


def word_text(normalised: str) -> str:
    """The words of a normalised text as " word word ... word ": ASCII letters and digits, one space
    between words and one at each end. Everything else (punctuation, emoji, other scripts) separates."""
    words = normalised.encode("ascii", "replace").translate(_WORD_BYTES).split()
    return " " + b" ".join(words).decode("ascii") + " "


class Text(NamedTuple):
    """A message's text as routing reads it: normalised (for regular expressions) and as word text (for
    keywords and the language guess)."""

    normalised: str
    words: str


def read(text: str) -> Text:
    """A message's text normalised once, for everything routing looks at."""
    normalised = normalise(text)
    return Text(normalised, word_text(normalised))


def term_words(text: str) -> str:
    """A keyword reduced to its words, separated by single spaces ("Gat in de  weg!" -> "gat in de weg")."""
    return word_text(normalise(text)).strip()


def guess_language(words: str) -> str | None:
    """'nl' or 'en' from common function words in a word text (`word_text`), or None when it gives no clue."""
    words = words.split()
    dutch, english = sum(map(_DUTCH.__contains__, words)), sum(map(_ENGLISH.__contains__, words))
    if dutch == english:
        return None
    return "nl" if dutch > english else "en"
