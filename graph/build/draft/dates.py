"""Date expressions of a text as EDTF; a missing year inferred from the publication date."""

from __future__ import annotations

import re

from graph.build.dates import MONTHS, date_parts
from graph.build.draft.model import DateExpr

__all__ = ["find_dates"]

_MONTH = (
    {m.lower(): i for i, m in enumerate(MONTHS, 1)}
    | {m[:3].lower(): i for i, m in enumerate(MONTHS, 1) if m != "May"}
    | {"sept": 9}
)
_M = r"(?P<month>" + "|".join(sorted(_MONTH, key=len, reverse=True)) + r")\.?"
_D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_Y = r"(?P<year>(?:1[89]|20)\d\d)"
_PATTERNS = [
    re.compile(rf"\b{_D} (?:of )?{_M},? {_Y}\b", re.I),
    re.compile(rf"\b{_M} {_D},? {_Y}\b", re.I),
    re.compile(rf"\b{_D} (?:of )?{_M}\b", re.I),
    re.compile(rf"\b{_M} {_D}\b(?!,\d|\d)", re.I),
    re.compile(rf"\b{_M},? {_Y}\b", re.I),
    re.compile(rf"\b{_M}\b", re.I),
    re.compile(rf"(?<![\d,.$])\b{_Y}\b(?![,.]\d)"),
]
#: Words before a date that put it after the publication (by September, next March).
_FUTURE = re.compile(r"\b(?:by|until|till|next|before|from)\s+$|\b(?:will|would|shall|plans?)\b")
#: "May" only where it is a date: after these words, or with a day or year.
_MAY_BEFORE = re.compile(r"\b(?:in|on|since|by|until|from|early|late|mid|last|next|of)\s+$", re.I)


def find_dates(text: str, start: int, end: int, published: str | None) -> list[DateExpr]:
    """The date expressions of ``text[start:end]`` ("8 March", "March 8", "on 1 November",
    "in 2023", "January"), each as EDTF; where the year is missing and ``published`` is known,
    the year is inferred from it, with the reason.

    Args:
        text: the whole text (offsets are counted in it).
        start: where the sentence starts.
        end: where it ends.
        published: the publication date (EDTF), if known.

    Returns:
        The dates, in text order, none overlapping.

    Examples:
        >>> t = "Sour met Lee on March 8 in Seoul; the report of January covers 2023."
        >>> [(d.text, d.edtf) for d in find_dates(t, 0, len(t), None)]
        [('March 8', 'XXXX-03-08'), ('January', 'XXXX-01'), ('2023', '2023')]
        >>> d = find_dates(t, 0, len(t), "2024-03-12")[0]
        >>> d.inferred
        '2024?-03-08'
        >>> d.reason
        'the year is not given: the latest 8 March on or before the publication date, 2024-03-12'
    """
    found: list[DateExpr] = []
    taken: list[tuple[int, int]] = []
    sentence = text[start:end]
    for pattern in _PATTERNS:
        for m in pattern.finditer(text, start, end):
            a, b = m.start(), m.end()
            if any(a < y and x < b for x, y in taken):
                continue
            groups = m.groupdict()
            month = _MONTH.get((groups.get("month") or "").lower().rstrip("."))
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            if groups.get("month") and not text[a:b][:1].isupper() and not text[a].isdigit():
                continue  # "march" in lower case is a verb
            if (
                (groups.get("month") or "").lower() == "may"
                and day is None
                and year is None
                and not _MAY_BEFORE.search(text[max(0, a - 12) : a])
            ):
                continue
            if day is not None and not 1 <= day <= 31:
                continue
            edtf = _edtf(year, month, day)
            date = DateExpr(text[a:b], a, b, edtf)
            if year is None and published:
                future = bool(_FUTURE.search(text[max(start, a - 12) : a])) or bool(
                    re.search(r"\b(?:will|would|shall)\b", sentence)
                )
                date.inferred, date.reason = _infer(month, day, published, future)
                date.score = 0.7
            found.append(date)
            taken.append((a, b))
    return sorted(found, key=lambda d: d.start)


def _edtf(year: int | None, month: int | None, day: int | None) -> str:
    out = f"{year:04d}" if year is not None else "XXXX"
    if month is not None:
        out += f"-{month:02d}"
        if day is not None:
            out += f"-{day:02d}"
    return out


def _infer(
    month: int | None, day: int | None, published: str, future: bool
) -> tuple[str | None, str | None]:
    parts = date_parts(published)
    if parts is None or parts.year is None or month is None:
        return None, None
    pub = (parts.month or 12, parts.day or 31)
    here = (month, day or 1)
    words = f"{day} {MONTHS[month - 1]}" if day else MONTHS[month - 1]
    if future:
        year = parts.year if here >= (pub[0], 1 if day is None else pub[1]) else parts.year + 1
        why = (
            f"the first {words} on or after the publication date, {published} "
            "(the text looks ahead)"
        )
    else:
        year = parts.year if here <= pub else parts.year - 1
        why = f"the latest {words} on or before the publication date, {published}"
    return f"{year:04d}?" + _edtf(None, month, day)[4:], "the year is not given: " + why
