"""What the reading pages show beyond the JSON answers: dates in words, the items and groups of
a timeline widget, and the strip of a country pair's happenings."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any

import pyoxigraph as ox

from graph.build.dates import date_parts, date_words
from graph.read.query import select
from graph.store import Store

__all__ = ["human_date", "iso_codes", "strip", "timeline_widget"]


def iso_codes(store: Store, countries: Iterable[str]) -> list[str | None]:
    """The ISO 3166-1 codes of countries (``None`` for one without a code).

    Examples:
        >>> from graph.store import memory_store
        >>> iso_codes(memory_store(), ["https://example.org/nowhere"])
        [None]
    """
    out: list[str | None] = []
    for c in countries:
        rows = select(
            store,
            "SELECT ?c ?code WHERE { ?c bkg:iso3166Code ?code }",
            c=ox.NamedNode(c),
        )
        out.append(str(rows[0]["code"]) if rows else None)
    return out


def human_date(edtf: str | None) -> str:
    """A date as a reader says it, with how much of it is known.

    Examples:
        >>> human_date("2024?-03-08")
        '8 March 2024, year inferred'
        >>> human_date("XXXX-03-08")
        '8 March, year not given'
        >>> human_date("2024-03"), human_date(None)
        ('March 2024', 'undated')
    """
    if not edtf:
        return "undated"
    parts = date_parts(edtf)
    if parts is None:
        return edtf
    text = date_words(parts, mark=False) or edtf
    if parts.year is None:
        return f"{text}, year not given"
    if parts.qualified:
        return f"{text}, year inferred" if "?" in edtf.split("-", 1)[0] else f"{text}, uncertain"
    return text


def _end(day: str) -> str:
    """The day after ``day`` (a range's end is exclusive in the widget)."""
    return date.fromordinal(date.fromisoformat(day).toordinal() + 1).isoformat()


def timeline_widget(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Timeline items (``graph.read.corpus.timeline``) as plain data for vis-timeline: one
    group per kind on the axis, a dated item per happening (its ``short`` label if it has one,
    a range over its span when only the month or year is known), its status history in
    words; undated items apart.

    Examples:
        >>> w = timeline_widget([{"id": "m", "kind": "meeting", "label": "Meeting", "date":
        ...     "2024-03", "sort_date": "2024-03-01", "sort_date_end": "2024-03-31",
        ...     "status": None, "status_history": []}])
        >>> w["items"][0]["start"], w["items"][0]["end"], w["items"][0]["type"]
        ('2024-03-01', '2024-04-01', 'range')
    """
    dated, undated, kinds = [], [], []
    for item in items:
        if item["kind"] not in kinds:
            kinds.append(item["kind"])
        history = [h["status"] for h in item.get("status_history") or [] if h.get("status")]
        steps = " → ".join(dict.fromkeys(history)) if len(set(history)) > 1 else ""
        status = item.get("status")
        shown = {
            "id": item["id"],
            "group": item["kind"],
            "content": item.get("short") or item["label"],
            "title": f"{item['label']} — {human_date(item.get('date'))}"
            + (f" — {steps or status}" if status else ""),
            "className": f"kind-{item['kind']} status-{(status or 'none').replace(' ', '-')}",
            "status": status,
            "history": steps,
            "when": human_date(item.get("date")),
        }
        start, end = item.get("sort_date"), item.get("sort_date_end")
        if not start:
            undated.append(shown)
            continue
        shown["start"] = start
        if end and end != start:
            shown["end"] = _end(end)
            shown["type"] = "range"
        else:
            shown["type"] = "box"
        dated.append(shown)
    # Groups with something on the axis (the undated are in the table only).
    groups = [{"id": k, "content": k} for k in kinds if any(i["group"] == k for i in dated)]
    return {"items": dated, "undated": undated, "groups": groups}


def strip(items: Iterable[dict[str, Any]], width: int = 900) -> dict[str, Any]:
    """The happenings of a pair along one line: each dated item at its place between the
    first and last day (``x`` from 0 to ``width``, a span as ``x`` and ``w``), in a lane of
    its own where it would cover another (``y``, the line at ``axis``: :func:`_lanes`); the
    month ticks above the line (:func:`_ticks`), the first and last day below the lowest
    lane (their baseline ``ends``); ``height`` all of it.

    Examples:
        >>> s = strip([{"id": "a", "kind": "meeting", "label": "A", "sort_date": "2024-03-01",
        ...     "sort_date_end": "2024-03-01"}, {"id": "b", "kind": "request", "label": "B",
        ...     "sort_date": "2024-03-11", "sort_date_end": "2024-03-11"}], width=100)
        >>> [(m["id"], m["x"], m["y"]) for m in s["marks"]], s["first"], s["last"]
        ([('a', 0.0, 11), ('b', 100.0, 11)], '2024-03-01', '2024-03-11')
        >>> s["axis"], s["ends"], s["height"]
        (11, 33, 37)
    """
    dated = [i for i in items if i.get("sort_date")]
    if not dated:
        return {"marks": [], "first": None, "last": None, "width": width, "ticks": []}
    first = min(date.fromisoformat(i["sort_date"]) for i in dated)
    last = max(date.fromisoformat(i.get("sort_date_end") or i["sort_date"]) for i in dated)
    days = max((last - first).days, 1)
    marks = []
    for i in dated:
        a = date.fromisoformat(i["sort_date"])
        b = date.fromisoformat(i.get("sort_date_end") or i["sort_date"])
        marks.append(
            {
                "id": i["id"],
                "kind": i["kind"],
                "label": i["label"],
                "when": human_date(i.get("date")),
                "x": round((a - first).days / days * width, 1),
                "w": round((b - a).days / days * width, 1),
            }
        )
    ticks = _ticks(first, last, width)
    _lanes(marks)
    # Room for the tick labels above the highest lane, and for the two days below the lowest.
    axis = (16 if ticks else 4) + MARK - min(m["row"] for m in marks) * LANE
    for m in marks:
        m["y"] = axis + m.pop("row") * LANE
    ends = max(m["y"] for m in marks) + MARK + 15
    return {
        "marks": marks,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "width": width,
        "ticks": ticks,
        "axis": axis,
        "ends": ends,
        "height": ends + 4,
    }


#: A mark's radius, and how far apart two lanes of marks are, in the strip's units.
MARK = 7
LANE = 2 * MARK + 1
#: The lanes of a strip: the line's, then one above, one below, ... (at most nine).
_ROWS = (0, -1, 1, -2, 2, -3, 3, -4, 4)


def _lanes(marks: list[dict[str, Any]]) -> None:
    """Give each mark a ``row`` (0 on the line, -1 the lane above it, 1 below...) so that no
    mark covers another: from left to right, each takes the first lane of :data:`_ROWS` where
    it clears the marks before it (a dot is ``MARK`` wide each side, a bar its days); when
    none is free, the lane that frees first (of those, the least taken).

    Examples:
        >>> marks = [{"x": 0.0, "w": 0.0}, {"x": 5.0, "w": 0.0}, {"x": 20.0, "w": 0.0},
        ...          {"x": 25.0, "w": 40.0}, {"x": 90.0, "w": 0.0}]
        >>> _lanes(marks)
        >>> [m["row"] for m in marks]
        [0, -1, 0, -1, 0]
        >>> many = [{"x": 0.0, "w": 0.0} for _ in range(11)]
        >>> _lanes(many)
        >>> [m["row"] for m in many]
        [0, -1, 1, -2, 2, -3, 3, -4, 4, 0, -1]
    """
    free = dict.fromkeys(_ROWS, float("-inf"))  # where each lane's last mark ends
    taken = dict.fromkeys(_ROWS, 0)
    for m in sorted(marks, key=lambda m: (m["x"], m["w"])):
        dot = m["w"] <= 0
        left = m["x"] - (MARK + 1 if dot else 1)
        right = m["x"] + (MARK + 1 if dot else m["w"] + 1)
        row = next(
            (r for r in _ROWS if free[r] <= left),
            min(_ROWS, key=lambda r: (free[r], taken[r])),
        )
        m["row"] = row
        free[row] = max(free[row], right)
        taken[row] += 1


#: The least room between two ticks of a strip, in the strip's units (a label is about 45).
TICK_ROOM = 60
#: How many years apart the ticks of a long strip may be.
_YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100)


def _ticks(first: date, last: date, width: int) -> list[dict[str, Any]]:
    """Where the months (or, over three years, the years) begin between two days, to mark on
    a strip of ``width``: each ``{"x", "label", "anchor"}``; the month of January and the first
    tick name the year. Over a few weeks there is none (the two ends say the days). Years are
    1, 2, 5, 10... apart, so that their labels have :data:`TICK_ROOM`; a label near an end of
    the strip is anchored inside it.

    Examples:
        >>> [t["label"] for t in _ticks(date(2024, 3, 8), date(2024, 6, 12), 100)]
        ['Apr 2024', 'May', 'Jun']
        >>> [t["label"] for t in _ticks(date(2023, 11, 2), date(2025, 2, 1), 900)]
        ['Jan 2024', 'Apr', 'Jul', 'Oct', 'Jan 2025']
        >>> [t["label"] for t in _ticks(date(2019, 5, 1), date(2024, 6, 12), 900)]
        ['2020', '2021', '2022', '2023', '2024']
        >>> " ".join(t["label"] for t in _ticks(date(1962, 5, 1), date(2024, 6, 12), 900))
        '1965 1970 1975 1980 1985 1990 1995 2000 2005 2010 2015 2020'
        >>> [(t["x"], t["anchor"]) for t in _ticks(date(2024, 3, 30), date(2024, 6, 29), 900)]
        [(19.8, 'start'), (316.5, 'middle'), (623.1, 'middle')]
        >>> _ticks(date(2024, 3, 6), date(2024, 3, 8), 100)
        []
    """
    days = (last - first).days
    if days < 40:
        return []
    if days <= 400:
        step = 1
    elif days <= 3 * 366:
        step = 3
    else:
        years = next((y for y in _YEAR_STEPS if y * 365.25 / days * width >= TICK_ROOM), 100)
        step = 12 * years
    out: list[dict[str, Any]] = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = date(year, month, 1)
        if day > last:
            return out
        if (year * 12 + month - 1) % step:
            continue
        name = str(year) if step >= 12 else calendar.month_abbr[month]
        if step < 12 and (month == 1 or not out):
            name += f" {year}"
        x = round((day - first).days / days * width, 1)
        room = TICK_ROOM / 2
        anchor = "start" if x < room else "end" if x > width - room else "middle"
        out.append({"x": x, "label": name, "anchor": anchor})
