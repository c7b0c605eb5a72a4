"""Helpers for writing the default rules: the condition builders and generated word forms.

`W(...)` is a keyword list, `ALL`/`ANY`/`NONE` combine conditions (they read like the rule language).
`phrases(...)` builds every combination of word groups ("ik sla je", "sla ik hem", ...), which is how
the default lexicons cover Dutch word order (separable verbs, inversion) without a grammar.
"""

from __future__ import annotations

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
