"""Helpers for writing the default rules: the condition builders and generated word forms.

`W(...)` is a keyword list, `ALL`/`ANY`/`NONE` combine conditions (they read like the rule language).
`phrases(...)` builds every combination of word groups ("ik sla je", "sla ik hem", ...), which is how
the default lexicons cover Dutch word order (separable verbs, inversion) without a grammar.
Where the words in between vary too much for that, `regexes_over(...)` writes a keyword group into
regular expressions (each within the rule language's length limit).
"""

from __future__ import annotations

import re
from itertools import product


def W(*terms: str) -> dict:  # noqa: N802  (reads like the rule language)
    return {"words": list(dict.fromkeys(terms))}


def ALL(*conditions: dict) -> dict:  # noqa: N802
    return {"all": list(conditions)}


def ANY(*conditions: dict) -> dict:  # noqa: N802
    return {"any": list(conditions)}


def NONE(*conditions: dict) -> dict:  # noqa: N802
    return {"none": list(conditions)}


def phrases(*groups) -> list[str]:
    """Every phrase made of one word (or nothing, for "") from each group, in order."""
    out = []
    for parts in product(*groups):
        text = " ".join(p for p in parts if p)
        if text:
            out.append(text)
    return list(dict.fromkeys(out))


def unique(*groups) -> list[str]:
    """The concatenation of keyword groups without duplicates, order kept."""
    return list(dict.fromkeys(term for group in groups for term in group))


_PRONOUNS = {"je": ("jij", "jou", "u", "jullie"), "jou": ("je", "u", "jullie"), "jij": ("je", "u"),
             "jouw": ("je", "uw"), "u": ("je", "jou"), "uw": ("jouw", "je"), "jullie": ("je", "u"),
             "hem": ("haar",), "zijn": ("haar",)}


def pronoun_variants(terms) -> list[str]:
    """Each phrase also with the other forms of its first personal pronoun ("ik krijg je nog" -> "ik krijg
    jou nog", "ik krijg u nog", ...), so that a threat is not missed because of the pronoun someone used.
    Ungrammatical combinations are harmless: they simply never occur."""
    out = []
    for term in terms:
        out.append(term)
        words = term.split(" ")
        for i, word in enumerate(words):
            if word in _PRONOUNS:
                out.extend(" ".join(words[:i] + [other] + words[i + 1:]) for other in _PRONOUNS[word])
                break
    return list(dict.fromkeys(out))


def term_regex(term: str) -> str:
    """A keyword as a regular expression on the normalised text, for a rule that must know what stands
    next to it ("ik ga de wethouder iets aandoen"). Its words may be separated by spaces or punctuation,
    a leading * stays any letters ("*ambtenaar": gemeenteambtenaar), a trailing * becomes an ending of at
    most three letters ("wethouder*": wethouders; "ambtena*": ambtenaar, ambtenaren; not wethouderspost)."""
    words = term.strip("*").split()
    return ((r"\w*" if term.startswith("*") else "") + r"\W+".join(re.escape(word) for word in words)
            + (r"\w{0,3}" if term.endswith("*") else ""))


def alternation(terms) -> str:
    """Keywords as one regular-expression alternation (see `term_regex`)."""
    return "|".join(term_regex(term) for term in terms)


def regexes_over(template: str, terms, limit: int) -> list[tuple[list[str], str]]:
    """`template` (with one `{terms}`) filled with the alternation of `terms`, split over as many
    regular expressions as needed to keep each at most `limit` characters; with each, its terms."""
    room = limit - len(template.replace("{terms}", ""))
    out: list[tuple[list[str], str]] = []
    chunk: list[str] = []
    for term in terms:
        if chunk and len(alternation([*chunk, term])) > room:
            out.append((chunk, template.replace("{terms}", alternation(chunk))))
            chunk = []
        chunk.append(term)
    if chunk:
        out.append((chunk, template.replace("{terms}", alternation(chunk))))
    return out
