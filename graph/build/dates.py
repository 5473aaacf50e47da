"""EDTF dates as the graph keeps them: the exact string, typed literals, OWL-Time parts, words."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from rdflib import Literal
from rdflib.namespace import XSD

__all__ = [
    "MONTHS",
    "DateParts",
    "compatible",
    "date_parts",
    "date_span",
    "date_words",
    "nearest_before",
    "readable_date",
    "typed_date",
]

_EDTF = re.compile(
    r"^(?P<year>\d{4}|X{4})(?P<yq>[?~%]?)"
    r"(?:-(?P<month>\d{2}|XX)(?:-(?P<day>\d{2}|XX))?)?(?P<q>[?~%]?)$"
)
#: Month names as sources write them.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class DateParts:
    """The known parts of a date; ``None`` where the source leaves a part unspecified."""

    year: int | None
    month: int | None
    day: int | None
    qualified: bool  # uncertain or approximate somewhere


def date_parts(value: str) -> DateParts | None:
    """Split a calendar EDTF date into its known parts (``None`` for intervals and sets).

    Examples:
        >>> date_parts("XXXX-03-08")
        DateParts(year=None, month=3, day=8, qualified=False)
        >>> date_parts("2024?-03-08")
        DateParts(year=2024, month=3, day=8, qualified=True)
    """
    m = _EDTF.match(value)
    if m is None:
        return None

    def num(part: str | None) -> int | None:
        return int(part) if part and "X" not in part else None

    return DateParts(num(m["year"]), num(m["month"]), num(m["day"]), bool(m["yq"] or m["q"]))


def typed_date(value: str) -> Literal | None:
    """The XSD literal of a date whose year is known (qualifiers dropped), else ``None``.

    Callers keep the qualifier in the exact EDTF string and put the typed literal in the layer
    the date belongs to (an uncertain year only in the inferred layer).

    Examples:
        >>> typed_date("2024?-03-08")
        rdflib.term.Literal('2024-03-08', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
        >>> typed_date("2006")
        rdflib.term.Literal('2006', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYear'))
        >>> typed_date("XXXX-03-08") is None
        True
    """
    parts = date_parts(value)
    if parts is None or parts.year is None:
        return None
    if parts.month is None:
        return Literal(f"{parts.year:04d}", datatype=XSD.gYear)
    if parts.day is None:
        return Literal(f"{parts.year:04d}-{parts.month:02d}", datatype=XSD.gYearMonth)
    return Literal(f"{parts.year:04d}-{parts.month:02d}-{parts.day:02d}", datatype=XSD.date)


def readable_date(value: str) -> str:
    """A date in words, saying no more than the EDTF string does.

    Examples:
        >>> readable_date("XXXX-03-08")
        '8 March'
        >>> readable_date("2024?-03-08")
        '8 March 2024?'
        >>> readable_date("XXXX-01")
        'January'
    """
    parts = date_parts(value)
    if parts is None:
        return value
    return date_words(parts) or value


def date_words(parts: DateParts, mark: bool = True) -> str:
    """A date's parts in words, day first; ``mark`` puts a ``?`` after an uncertain year.

    Examples:
        >>> date_words(DateParts(2024, 3, 8, qualified=True))
        '8 March 2024?'
        >>> date_words(DateParts(2024, 3, 8, qualified=True), mark=False)
        '8 March 2024'
    """
    words = []
    if parts.day is not None:
        words.append(str(parts.day))
    if parts.month is not None:
        words.append(MONTHS[parts.month - 1])
    if parts.year is not None:
        words.append(f"{parts.year}{'?' if mark and parts.qualified else ''}")
    return " ".join(words)


def date_span(value: str) -> tuple[date, date] | None:
    """The first and last day a date with a known year can mean (qualifiers ignored), else None.

    Examples:
        >>> date_span("2024-03")
        (datetime.date(2024, 3, 1), datetime.date(2024, 3, 31))
        >>> date_span("2024?-03-08")
        (datetime.date(2024, 3, 8), datetime.date(2024, 3, 8))
        >>> date_span("XXXX-03-08") is None
        True

    A day past the end of its month (as a sheet may miscount) is the month's last day:

        >>> date_span("2023-02-30")
        (datetime.date(2023, 2, 28), datetime.date(2023, 2, 28))
    """
    parts = date_parts(value)
    if parts is None or parts.year is None:
        return None
    if parts.month is None:
        return date(parts.year, 1, 1), date(parts.year, 12, 31)
    last = calendar.monthrange(parts.year, parts.month)[1]
    if parts.day is None:
        return date(parts.year, parts.month, 1), date(parts.year, parts.month, last)
    day = date(parts.year, parts.month, min(parts.day, last))
    return day, day


def compatible(a: str, b: str) -> bool:
    """Whether two EDTF dates can mean the same day: every part both know is equal.

    Examples:
        >>> compatible("XXXX-03-08", "2024-03-08"), compatible("2024-03", "2024-03-08")
        (True, True)
        >>> compatible("2024-03-08", "2024-03-09"), compatible("2004", "2006")
        (False, False)
    """
    pa, pb = date_parts(a), date_parts(b)
    if pa is None or pb is None:
        return a == b
    return all(
        x is None or y is None or x == y
        for x, y in ((pa.year, pb.year), (pa.month, pb.month), (pa.day, pb.day))
    )


def nearest_before(value: str, published: str) -> str | None:
    """The full date of a date without a year, the nearest on or before publication.

    Where the publication date is itself partial, the answer must be the same for its first and
    its last possible day; otherwise there is no answer.

    Examples:
        >>> nearest_before("XXXX-12-27", "2024-12-28")
        '2024-12-27'
        >>> nearest_before("XXXX-12-29", "2024-12-28")
        '2023-12-29'
        >>> nearest_before("XXXX-11", "2024-12")
        '2024-11'
        >>> nearest_before("XXXX-12-27", "2024-12") is None
        True
        >>> nearest_before("2024-12-27", "2024-12-28") is None  # it has a year
        True
    """
    parts, span = date_parts(value), date_span(published)
    if parts is None or parts.year is not None or parts.month is None or span is None:
        return None
    answers = set()
    for limit in span:
        year = limit.year
        while True:
            if parts.day is None:
                first = date(year, parts.month, 1)
            elif parts.day > calendar.monthrange(year, parts.month)[1]:
                year -= 1  # 29 February: the nearest leap year before
                continue
            else:
                first = date(year, parts.month, parts.day)
            if first <= limit:
                break
            year -= 1
        answers.add(year)
    if len(answers) != 1:
        return None
    year = answers.pop()
    if parts.day is None:
        return f"{year:04d}-{parts.month:02d}"
    return f"{year:04d}-{parts.month:02d}-{parts.day:02d}"
