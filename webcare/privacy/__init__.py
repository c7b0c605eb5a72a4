"""Personal-data detection in texts (pure: no database, no Flask).

`scan(text)` lists what a public reply would reveal: BSN (elfproef), IBAN (mod-97), Dutch phone
numbers, e-mail addresses, postcode with house number, dates of birth in context and Dutch licence
plates. `redact(text)` puts the kind in brackets in place of each finding. The rules and their limits
are in docs/PRIVACY.md.
"""

from __future__ import annotations

from webcare.privacy.detect import KINDS, Finding, redact, scan

__all__ = ["KINDS", "Finding", "redact", "scan"]
