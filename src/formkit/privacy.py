"""Masking of personal numbers in anything a person reads: logs, progress output, errors.

ID numbers (GB 11643, 18 characters) show the first 4 and last 4 characters:
``530102199001011234`` → ``5301**********1234``. Mobile phones show the first 3 and last 4:
``13812345678`` → ``138****5678``. Pure functions, no imports from formkit.
"""

from __future__ import annotations

import re

# An 18-character ID number (17 digits + check digit or X) — its digits may be grouped by single
# spaces or dashes (``530102 19900101 1234``) — or the old 15-digit form, standing alone (not
# inside a longer run of digits). Full-width digits are matched too.
_D = "[0-9０-９]"
_ID_RE = re.compile(rf"(?<![0-9０-９])((?:{_D}[ \u3000\-－]?){{17}}[0-9０-９XxＸｘ]|{_D}{{15}})(?![0-9０-９XxＸｘ])")
# A mainland mobile, with an optional +86/0086 prefix and 3-4-4 grouping by spaces or dashes.
_MOBILE_RE = re.compile(rf"(?<![0-9０-９])((?:[+＋]|00)?86[ \-]?)?([1１][3-9３-９]{_D})[ \u3000\-－]?{_D}{{4}}"
                        rf"[ \u3000\-－]?({_D}{{4}})(?![0-9０-９])")


def mask_id_number(value: str) -> str:
    """Mask one ID number: keep the first 4 and last 4 characters, star the rest.

    ``mask_id_number("11010519491231002X") == "1101**********002X"``. Strings shorter than 9
    characters are starred whole.
    """
    if len(value) < 9:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Mask a mobile number as ``138****5678``; other strings keep their last 4 characters."""
    digits = value.strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def scrub(text: str) -> str:
    """Mask every ID number and mobile number found anywhere in ``text``."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(1)), text)
    return _MOBILE_RE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)


def masked_change(old: str, new: str) -> str:
    """``old → new`` as a person may read it: both masked (``scrub``), and when the masked texts
    look alike although the values differ, which character positions changed (1-based), e.g.
    ``139****5678 → 139****5678（第4、5位改动）``. The changed digits themselves are not shown."""
    a, b = scrub(old), scrub(new)
    text = f"{a} → {b}"
    if a == b and old != new:
        if len(old) == len(new):
            places = [str(i) for i, (x, y) in enumerate(zip(old, new), start=1) if x != y]
            text += f"（第{'、'.join(places)}位改动）"
        else:
            text += f"（位数由 {len(old)} 位改为 {len(new)} 位）"
    return text
