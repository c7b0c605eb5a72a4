"""Texts with `{fields}` that Webcare fills in (promises to citizens, canned responses): checked when saved.

A field the filler does not know would reach the citizen as written (`{naaam}`), and a stray brace breaks
the filling; both are refused with the form field they are about and a stable error code.
"""

from __future__ import annotations

from collections.abc import Sequence
from string import Formatter

from webcare.errors import ValidationFailed


def check_fields(text: str, allowed: Sequence[str], *, form_field: str, code_prefix: str) -> str:
    """`text` when every {field} in it is one of `allowed`; else ValidationFailed (`<prefix>_braces` for
    unbalanced braces, `<prefix>_field` for an unknown field)."""
    try:
        named = [field for _, field, _, _ in Formatter().parse(text) if field is not None]
    except ValueError as exc:
        raise ValidationFailed(f"{form_field} has a stray brace: {exc}", fields={form_field: "braces"},
                               code=f"{code_prefix}_braces") from exc
    unknown = [field for field in named if field not in allowed]
    if unknown:
        fields = ", ".join("{" + name + "}" for name in allowed)
        raise ValidationFailed(f"{form_field} may use {fields}, not {{{unknown[0]}}}", fields={form_field: unknown[0]},
                               code=f"{code_prefix}_field")
    return text
