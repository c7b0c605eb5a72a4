"""Checksums and shapes behind the personal-data detector (pure functions, no regular expressions).

- BSN: the "elfproef" (9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11, and not zero).
- IBAN: the ISO 13616 length per country and the ISO 7064 mod-97 check.
- Dutch licence plates: the sidecodes of the RDW (1 to 14), letters without vowels from sidecode 4 on.
- Dutch phone numbers: a national significant number of 9 digits; 0800/0900/090x are service numbers.
"""

from __future__ import annotations

import string

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

# Sidecodes as shapes: L = letter, 9 = digit, groups separated by a dash.
PLATE_SIDECODES = (
    "LL-99-99", "99-99-LL", "99-LL-99", "LL-99-LL", "LL-LL-99", "99-LL-LL", "99-LLL-9", "9-LLL-99",
    "LL-999-L", "L-999-LL", "LLL-99-L", "L-99-LLL", "9-LL-999", "999-LL-9",
)
# Letters on plates since sidecode 4: no vowels, and not C, Q (nor M, W outside special series, allowed here).
PLATE_LETTERS = frozenset("BDFGHJKLMNPRSTVWXZ")
OLD_PLATE_LETTERS = frozenset(string.ascii_uppercase)

SERVICE_PREFIXES = ("800", "900", "906", "909", "14")


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def is_bsn(number: str) -> bool:
    """True for a 9-digit number (8 digits are padded with a leading 0) that passes the elfproef."""
    digits = digits_of(number)
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def iban_checks(candidate: str) -> bool:
    """True if the text (spaces allowed) is an IBAN of the right length for its country with mod-97 = 1."""
    compact = candidate.replace(" ", "").upper()
    country = compact[:2]
    if IBAN_LENGTHS.get(country) != len(compact) or not compact[2:4].isdigit() or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def plate_shape(plate: str) -> str:
    return "".join("L" if ch.isalpha() else "9" if ch.isdigit() else ch for ch in plate.upper())


def is_licence_plate(plate: str) -> bool:
    """True if the text, with dashes, has the shape of a Dutch sidecode and plausible letters."""
    plate = plate.upper()
    shape = plate_shape(plate)
    if shape not in PLATE_SIDECODES:
        return False
    letters = {ch for ch in plate if ch.isalpha()}
    allowed = OLD_PLATE_LETTERS if PLATE_SIDECODES.index(shape) < 3 else PLATE_LETTERS
    return letters <= allowed


def dutch_national_number(raw: str) -> str | None:
    """The 9-digit national significant number of a Dutch phone number, or None if it is not one.

    Accepts 0XXXXXXXXX, +31XXXXXXXXX, 0031XXXXXXXXX and +31 (0)XX...; service numbers give None.
    """
    text = raw.replace("(0)", "")
    digits = digits_of(text)
    if text.lstrip().startswith("+31"):
        digits = digits[2:]
    elif digits.startswith("0031"):
        digits = digits[4:]
    elif digits.startswith("0") and not digits.startswith("00"):
        digits = digits[1:]
    else:
        return None
    if len(digits) != 9 or digits[0] == "0" or digits.startswith(SERVICE_PREFIXES):
        return None
    return digits
