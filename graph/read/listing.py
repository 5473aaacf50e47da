"""The lists a researcher reads: statements by speaker, sources by date, and every list as a
table of cells (dates in words, links to the entity and its evidence) for pages and CSV.

Statements and sources are few next to acts and meetings: they are read whole, ordered by
date in Python (kept per graph version, :func:`graph.store.per_version`) and paged by the id
of the last item. User input is bound as RDF terms.

Examples:
    >>> store = seed_store()
    >>> base = "https://bilateral-kg.example/"
    >>> said = statements(store, base, limit=50).items
    >>> sorted({s["speaker"]["label"] for s in said})[:3]
    ['Heng Sour', 'Labour ministry social media post of 10 March', 'Lee Jung-sik']
    >>> [s["id"] for s in sources(store, base).items]
    ['source/ppp-cambodia-korea-labour']
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from graph.read.corpus import series, sources_of
from graph.read.export import spreadsheet_safe
from graph.read.ids import short_id
from graph.read.lists import Page, paged, ref
from graph.read.pages import human_date
from graph.read.query import select
from graph.read.statistics import statistics as observations
from graph.store import Store, per_version
from ontology import scheme_labels
from ontology.vocabulary import status_words

__all__ = [
    "LISTS",
    "Column",
    "figures",
    "page_after",
    "sources",
    "statements",
    "table",
    "to_csv",
]

_LAST = "\uffff"  # sorts after every date: undated last


def page_after(items: list[dict[str, Any]], after: str | None, limit: int) -> Page:
    """The page of ``items`` (already in order) after the one whose id is ``after``."""
    if after:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    return paged(items, limit)


def _first(
    rows: list[dict[str, Any]],
    key: str,
    base: str,
    make: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """One item per value of ``key`` (an IRI), its id and ``label`` with what ``make`` takes
    from its first row (rows come sorted)."""
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r[key] not in found:
            found[r[key]] = {"id": short_id(r[key], base), "label": r["label"], **make(r)}
    return found


def _by_date(
    items: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any], newest_first: bool
) -> list[dict[str, Any]]:
    """Items by ``key`` (a date first), or the dated ones newest first; undated last."""
    ordered = sorted(items, key=key)
    if newest_first:
        dated = [i for i in ordered if i["published"]]
        ordered = dated[::-1] + [i for i in ordered if not i["published"]]
    return ordered


def statements(
    store: Store,
    base: str,
    *,
    limit: int = 50,
    after: str | None = None,
    newest_first: bool = False,
    speaker: ox.NamedNode | None = None,
    source: ox.NamedNode | None = None,
) -> Page:
    """What people and bodies said, as the sources report it: each statement with its
    speaker, its words, what it is about, and its sources with their evidence.

    Args:
        store: the store.
        base: the configured base IRI.
        speaker: keep what this person or body said.
        source: keep what this source reports.
        after: the id of the last statement of the previous page.
        limit: at most this many statements.
        newest_first: the latest source first.

    Returns:
        The page, by the publication date of the first source that reports each statement
        (undated sources last), then where in the source it stands. Each statement:
        ``{"id", "label", "kind" (quotation or paraphrase), "text", "speaker", "about",
        "sources", "report_count", "evidence", "published"}``.
    """
    found = _statements_in_order(store, base, speaker, source, newest_first)
    return _copy(page_after(found, after, limit))


@per_version()
def _statements_in_order(
    store: Store,
    base: str,
    speaker: ox.NamedNode | None,
    source: ox.NamedNode | None,
    newest_first: bool,
) -> list[dict[str, Any]]:
    """Every statement :func:`statements` keeps, in its order (kept per graph version: at a
    million triples reading them with their sources takes most of a second, and every page
    of the list would read them all again)."""
    wanted = {
        "who": (speaker, "?st bkg:speaker ?who ."),
        "wantSource": (source, "?st bkg:reportedIn ?wantSource ."),
    }
    bindings = {k: term for k, (term, _) in wanted.items() if term is not None}
    filters = [pattern for k, (_, pattern) in wanted.items() if k in bindings]
    variables = " ".join(f"?{k}" for k in bindings)
    rows = select(
        store,
        f"""
        SELECT {variables} ?st ?label ?text ?cls ?sp ?spl WHERE {{
            {" ".join(filters)}
            ?st a bkg:Statement ; rdfs:label ?label ; schema:text ?text ; bkg:speaker ?sp .
            ?sp rdfs:label ?spl .
            OPTIONAL {{ ?st a ?cls FILTER (?cls IN (bkg:Quotation, bkg:Paraphrase)) }}
        }} ORDER BY ?st ?spl""",
        **bindings,
    )
    found = _first(
        rows,
        "st",
        base,
        lambda r: {
            "kind": (r["cls"] or "#statement").rsplit("#", 1)[1].lower(),
            "text": r["text"],
            "speaker": ref(r["sp"], r["spl"], base),
            "about": [],
        },
    )
    about = select(
        store,
        "SELECT ?st ?a ?l WHERE { ?st a bkg:Statement ; schema:about ?a . ?a rdfs:label ?l }"
        " ORDER BY ?l",
    )
    for r in about:
        if r["st"] in found and all(
            a["id"] != short_id(r["a"], base) for a in found[r["st"]]["about"]
        ):
            found[r["st"]]["about"].append(ref(r["a"], r["l"], base))
    reports = sources_of(store, list(found), base)
    for iri, item in found.items():
        item["sources"] = reports[iri]
        item["report_count"] = len(reports[iri])
        item["evidence"] = [q for s in reports[iri] for q in s["evidence"]]
        item["published"] = reports[iri][0]["published"] if reports[iri] else None

    def key(item: dict[str, Any]) -> tuple[str, int, str]:
        first = min((q["start"] for q in item["evidence"]), default=0)
        return (item["published"] or _LAST, first, item["id"])

    return _by_date(found.values(), key, newest_first)


def sources(
    store: Store,
    base: str,
    *,
    after: str | None = None,
    limit: int = 50,
    newest_first: bool = False,
) -> Page:
    """The sources of the graph (every text it was built from), by publication date.

    Args:
        store: the store.
        base: the configured base IRI.
        after: the id of the last source of the previous page.
        limit: at most this many sources.
        newest_first: the latest first (undated sources still last).

    Returns:
        The page: ``{"id", "label", "kind", "published", "publisher", "url", "reports"}``
        (``reports``: how many facts it reports), by publication date (undated last), then
        label.
    """
    return _copy(page_after(_sources_in_order(store, base, newest_first), after, limit))


@per_version()
def _sources_in_order(store: Store, base: str, newest_first: bool) -> list[dict[str, Any]]:
    """Every source in the order of :func:`sources` (kept per graph version: at a million
    triples the query takes a third of a second, and every page of the list would ask it)."""
    rows = select(
        store,
        """
        SELECT ?s ?label ?type ?published ?publisher ?url ?n WHERE {
            { SELECT ?s (COUNT(DISTINCT ?fact) AS ?n) WHERE {
                { SELECT DISTINCT ?s WHERE { ?span oa:hasSource ?s } }
                OPTIONAL { ?fact bkg:reportedIn ?s } } GROUP BY ?s }
            ?s rdfs:label ?label .
            OPTIONAL { ?s a ?type FILTER (?type IN (schema:NewsArticle, schema:Report,
                                                   schema:SocialMediaPosting)) }
            OPTIONAL { ?s bkg:edtfDate ?published }
            OPTIONAL { ?s schema:publisher/rdfs:label ?publisher }
            OPTIONAL { ?s schema:url ?url }
        } ORDER BY ?s ?label""",
    )
    found = _first(
        rows,
        "s",
        base,
        lambda r: {
            "kind": _words_of(r["type"]) if r["type"] else "source",
            "published": r["published"],
            "publisher": r["publisher"],
            "url": r["url"],
            "reports": int(r["n"]),
        },
    )
    return _by_date(
        found.values(), lambda s: (s["published"] or _LAST, s["label"], s["id"]), newest_first
    )


def _copy(page: Page) -> Page:
    """A page of a list kept per graph version, as the caller's own (it may change it)."""
    return Page(copy.deepcopy(page.items), page.more)


def _words_of(iri: str) -> str:
    """``schema:NewsArticle`` as ``news article``."""
    name = iri.rsplit("/", 1)[-1]
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


def figures(
    store: Store, base: str, *, newest_first: bool = False, **countries: ox.NamedNode | None
) -> list[dict[str, Any]]:
    """Every statistical figure as a row: the points of each series (``graph.read.corpus
    .series``) by period, then the figures in no series (those the build derived), each with
    its computation as its ``reason``.

    Args:
        store: the store.
        base: the configured base IRI.
        newest_first: each series' latest period first, and the series with the latest
            figures first (a series stays together).
        countries: ``origin`` and ``destination``: keep the figures of these countries.

    Returns:
        The rows, each a series point (``id``, ``period``, ``value``, ``qualifier``, ...) with
        its ``series`` (label) and ``series_id``, ``unit``, ``sources``, ``evidence`` and
        ``reason``.
    """
    origin, destination = countries.get("origin"), countries.get("destination")
    rows = [
        {
            **p,
            "series": s["label"],
            "series_id": s["id"],
            "unit": s["unit"],
            "evidence": [q for src in p["sources"] for q in src["evidence"]],
            "reason": None,
        }
        for s in series(store, base, origin=origin, destination=destination)
        for p in s["points"]
    ]
    seen = {r["id"] for r in rows}
    lone = observations(store, base, origin=origin, destination=destination, limit=10_000)
    for o in lone.items:
        if o["id"] in seen:
            continue
        rows.append(
            {
                **o,
                "series": f"{o['population']} ({o['sex']}, {o['unit']}): "
                f"{o['origin']['label']} → {o['destination']['label']} ({o['layer']})",
                "series_id": o["dataset"]["id"],
                "currency": None,
                "as_written": None,
                "sources": [],
            }
        )
    return _latest_first(rows) if newest_first else rows


def _latest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Figures newest first, a series kept together: each series' points by period, latest
    first, and the series by their latest period (then in the order they came).

    Examples:
        >>> rows = [{"series": "a", "period": "2022"}, {"series": "a", "period": "2023"},
        ...         {"series": "b", "period": "2024"}]
        >>> [(r["series"], r["period"]) for r in _latest_first(rows)]
        [('b', '2024'), ('a', '2023'), ('a', '2022')]
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["series"], []).append(r)
    for points in groups.values():
        points.sort(key=lambda r: str(r["period"]), reverse=True)
    ordered = sorted(groups.values(), key=lambda ps: str(ps[0]["period"]), reverse=True)
    return [r for points in ordered for r in points]


# ---- tables: what the pages and the CSV show ------------------------------------------------


class Column:
    """A column of a list's table: its heading, the text of a cell, where the cell links, and
    whether the page shows it (the CSV has every column; the page leaves out what its links
    already say, to stay one screen wide), the CSV's cell where it differs from the page's
    (``csv``: a number without thousands separators, for a spreadsheet), the parts the
    page sets apart (``parts``: names each kept on one line, quotes each on its own), and
    whether the page says it once for a run of rows that share it (``group``: a heading
    above them, such as a statistic's series) instead of in each row."""

    def __init__(
        self,
        name: str,
        text: Callable[[dict[str, Any]], Any],
        href: Callable[[dict[str, Any]], str | None] | None = None,
        page: bool = True,
        note: Callable[[dict[str, Any]], str] | None = None,
        csv: Callable[[dict[str, Any]], Any] | None = None,
        parts: Callable[[dict[str, Any]], list[str]] | None = None,
        group: bool = False,
    ) -> None:
        self.name = name
        self.text = text
        self.href = href
        self.page = page
        self.note = note
        self.csv = csv or text
        self.parts = parts
        self.group = group


def _named(refs: Iterable[dict[str, Any] | None]) -> list[str]:
    """The names of things, each once (a thing with two labels is named by its first)."""
    seen: dict[str, str] = {}
    for r in refs:
        if r:
            seen.setdefault(r["id"], r["label"])
    return list(seen.values())


def _names(refs: Iterable[dict[str, Any] | None]) -> str:
    return "; ".join(_named(refs))


def _people(key: str) -> Column:
    """A column of the things an item names (actors, attendees...), each name on one line."""
    return Column(key, lambda i: _names(i[key]), parts=lambda i: _named(i[key]))


def _meeting_date(m: dict[str, Any]) -> str:
    """A meeting's date in words: the full date where one is known (its year marked as
    inferred when it is), else the date as the source gives it.

    Examples:
        >>> _meeting_date({"date": "XXXX-03-06", "full_date": "2024-03-06",
        ...                "full_date_layer": "inferred"})
        '6 March 2024, year inferred'
    """
    full = m.get("full_date")
    if full and m.get("full_date_layer") == "inferred":
        return human_date(f"{full[:4]}?{full[4:]}")
    return human_date(full or m.get("date"))


def _quotes(item: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(q["quote"] for q in item.get("evidence") or []))


def _quote(item: dict[str, Any]) -> str:
    return " | ".join(q["quote"] for q in item.get("evidence") or [])


def _sources(item: dict[str, Any]) -> str:
    return "; ".join(s["label"] for s in item.get("sources") or [])


def _evidence_link(item: dict[str, Any]) -> str | None:
    """The source page at the first sentence the item rests on (the span's anchor)."""
    for s in item.get("sources") or []:
        for q in s["evidence"]:
            return f"/id/{s['id']}#span-{q['start']}-{q['end']}"
    return None


def _entity(item: dict[str, Any]) -> str:
    return f"/id/{item['id']}"


def _history(item: dict[str, Any]) -> str:
    steps = [status_words(h["status"]) for h in item.get("status_history") or []]
    return " → ".join(dict.fromkeys(steps)) if len(set(steps)) > 1 else ""


def _value(point: dict[str, Any]) -> str:
    """A series point's value as the source qualifies it."""
    if point.get("as_written"):
        return str(point["as_written"])
    q = point.get("qualifier") or "exact"
    if q == "exact" and point.get("value") is not None:
        return (
            f"{point['value']:,.0f}" if float(point["value"]).is_integer() else str(point["value"])
        )
    if q == "range":
        return f"{point['min']:,.0f} to {point['max']:,.0f}"
    bound = point.get("min") or point.get("max") or point.get("approximate")
    return f"{q.replace('-', ' ')} {bound:,.0f}" if bound is not None else q


def _number(value: Any) -> str:
    """A number as a spreadsheet reads it: no thousands separators, no ``.0`` ("" for none).

    Examples:
        >>> _number(9778.0), _number(2.5), _number(None)
        ('9778', '2.5', '')
    """
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _site(url: str | None) -> str:
    """Where a source's original is, as a page says it: the site's name (the link has the
    whole address).

    Examples:
        >>> _site("https://www.phnompenhpost.com/national/x"), _site("archive 12"), _site(None)
        ('phnompenhpost.com', 'archive 12', '')
    """
    if not url:
        return ""
    host = urlsplit(url).hostname if "://" in url else None
    return host.removeprefix("www.") if host else url


def _figure(key: str) -> Callable[[dict[str, Any]], str]:
    """The CSV cell of one number of a figure (``value``, ``min``, ...)."""
    return lambda p: _number(p.get(key))


_FIELDS = scheme_labels("field")


def _fields(act: dict[str, Any]) -> list[str]:
    return [_FIELDS.get(f, f) for f in act["fields"]]


#: The columns of each list, in the order the pages and the CSV show them.
LISTS: dict[str, list[Column]] = {
    "acts": [
        Column("date", lambda a: human_date((a.get("status_history") or [{}])[0].get("date"))),
        Column("act", lambda a: a["label"], _entity),
        Column("kind", lambda a: a["kind"].lower(), page=False),
        Column("status", lambda a: status_words(a["status"]), note=_history),
        Column("history", _history, page=False),
        _people("actors"),
        _people("addressees"),
        Column(
            "fields",
            lambda a: "; ".join(_fields(a)),
            parts=_fields,
        ),
        Column("sources", _sources, page=False),
        Column("evidence", _quote, _evidence_link, parts=_quotes),
    ],
    "meetings": [
        Column("date", _meeting_date),
        Column("meeting", lambda m: m["label"], _entity),
        Column("place", lambda m: m["place"]["label"] if m["place"] else ""),
        _people("attendees"),
        Column("sources", _sources, page=False),
        Column("evidence", _quote, _evidence_link, parts=_quotes),
    ],
    "statements": [
        Column("source date", lambda s: human_date(s["published"])),
        Column("speaker", lambda s: s["speaker"]["label"], lambda s: f"/id/{s['speaker']['id']}"),
        Column("words", lambda s: s["text"], _entity),
        Column("kind", lambda s: s["kind"]),
        Column("about", lambda s: _names(s["about"]), page=False),
        Column("sources", _sources, page=False),
        Column("evidence", _quote, _evidence_link, parts=_quotes),
    ],
    "statistics": [
        # A series' points come together, in either order (figures): one heading each.
        Column("series", lambda p: p["series"], lambda p: f"/id/{p['series_id']}", group=True),
        Column("period", lambda p: human_date(p["period"])),
        # The page says a value as the source qualifies it; the CSV's numbers stand alone.
        Column("value", _value, _entity, csv=_figure("value")),
        Column("qualifier", lambda p: p.get("qualifier") or "", page=False),
        Column("lower bound", _figure("min"), page=False),
        Column("upper bound", _figure("max"), page=False),
        Column("approximate", _figure("approximate"), page=False),
        Column("unit", lambda p: p["currency"] or p["unit"], csv=lambda p: p["unit"]),
        Column("currency", lambda p: p.get("currency") or "", page=False),
        Column("per", lambda p: p["per"] or ""),
        Column("as written", lambda p: p.get("as_written") or "", page=False),
        Column("sources", _sources, page=False),
        Column(
            "evidence",
            lambda p: _quote(p) or p.get("reason") or "",
            _evidence_link,
            parts=_quotes,
        ),
    ],
    "sources": [
        Column("published", lambda s: human_date(s["published"])),
        Column("source", lambda s: s["label"], _entity),
        Column("kind", lambda s: s["kind"]),
        Column("publisher", lambda s: s["publisher"] or ""),
        Column("facts reported", lambda s: s["reports"]),
        Column(
            "original",
            lambda s: _site(s["url"]),
            lambda s: (
                s["url"]
                if str(s["url"] or "").lower().startswith(("http://", "https://"))
                else None
            ),
            csv=lambda s: s["url"] or "",
        ),
    ],
}


def table(kind: str, items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A list's items as the page shows them: ``{"columns": [names], "rows": [[{"text",
    "href", "title", "note", "parts"}]], "group": name, "groups": [{"heading", "rows"}]}``
    (``title``: the sources of the evidence, shown on hover; ``note``: a second line, such as
    an act's status history). A list with a ``group`` column (:class:`Column`) says it once
    for each run of rows that share it, as the ``heading`` (a cell) of their group, and not
    in ``columns``; else ``group`` is ``None`` and the rows are one group without heading.

    Examples:
        >>> t = table("sources", [{"id": "source/a", "label": "A", "kind": "report",
        ...     "published": "2024-03", "publisher": None, "url": None, "reports": 2}])
        >>> t["columns"][:2], [c["text"] for c in t["rows"][0]][:2], t["rows"][0][1]["href"]
        (['published', 'source'], ['March 2024', 'A'], '/id/source/a')
        >>> t["group"], [(g["heading"], len(g["rows"])) for g in t["groups"]]
        (None, [(None, 1)])
        >>> point = {"id": "x/1", "series_id": "x", "period": "2023", "value": 5,
        ...     "unit": "persons", "currency": None, "per": None}
        >>> t = table("statistics", [point | {"series": "a"},
        ...     point | {"series": "a", "period": "2024"}, point | {"series": "b"}])
        >>> t["group"], t["columns"][:2], len(t["rows"])
        ('series', ['period', 'value'], 3)
        >>> [(g["heading"]["text"], [r[0]["text"] for r in g["rows"]]) for g in t["groups"]]
        [('a', ['2023', '2024']), ('b', ['2023'])]
    """
    shown = [c for c in LISTS[kind] if c.page]
    heading = next((c for c in shown if c.group), None)
    columns = [c for c in shown if not c.group]
    rows: list[list[dict[str, Any]]] = []
    groups: list[dict[str, Any]] = []
    for i in items:
        row = [_cell(c, i) for c in columns]
        head = _cell(heading, i) if heading else None
        if not groups or head != groups[-1]["heading"]:
            groups.append({"heading": head, "rows": []})
        groups[-1]["rows"].append(row)
        rows.append(row)
    return {
        "columns": [c.name for c in columns],
        "rows": rows,
        "group": heading.name if heading else None,
        "groups": groups,
    }


def _cell(column: Column, item: dict[str, Any]) -> dict[str, Any]:
    """One cell of a list page's table."""
    return {
        "text": str(column.text(item)),
        "href": column.href(item) if column.href else None,
        "title": _sources(item) if column.name == "evidence" else None,
        "note": column.note(item) if column.note else "",
        "parts": column.parts(item) if column.parts else [],
    }


def to_csv(kind: str, items: Iterable[dict[str, Any]], base: str) -> str:
    """A list as CSV: every column of the list (the page's and those it leaves out), then the
    item's absolute IRI; every cell made ``spreadsheet_safe`` (the words come from sources).

    Examples:
        >>> print(to_csv("sources", [{"id": "source/a", "label": "=A", "kind": "report",
        ...     "published": None, "publisher": None, "url": None, "reports": 2}],
        ...     "https://x/").splitlines()[1])
        undated,'=A,report,,2,,https://x/id/source/a
    """
    columns = [(c.name, c.csv) for c in LISTS[kind]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*(name for name, _ in columns), "iri"])
    for item in items:
        writer.writerow(
            [
                *(spreadsheet_safe(str(cell(item))) for _, cell in columns),
                f"{base}id/{item['id']}",
            ]
        )
    return out.getvalue()
