"""What the reading pages show beyond the JSON answers: dates in words, the items and groups of
a timeline widget, and the strip of a country pair's happenings."""

from __future__ import annotations

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
    first and last day (``x`` from 0 to ``width``, a span as ``x`` and ``w``).

    Examples:
        >>> s = strip([{"id": "a", "kind": "meeting", "label": "A", "sort_date": "2024-03-01",
        ...     "sort_date_end": "2024-03-01"}, {"id": "b", "kind": "request", "label": "B",
        ...     "sort_date": "2024-03-11", "sort_date_end": "2024-03-11"}], width=100)
        >>> [(m["id"], m["x"]) for m in s["marks"]], s["first"], s["last"]
        ([('a', 0.0), ('b', 100.0)], '2024-03-01', '2024-03-11')
    """
    dated = [i for i in items if i.get("sort_date")]
    if not dated:
        return {"marks": [], "first": None, "last": None, "width": width}
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
    return {"marks": marks, "first": first.isoformat(), "last": last.isoformat(), "width": width}
