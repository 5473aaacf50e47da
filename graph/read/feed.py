"""An Atom feed of a country pair's new and changed acts, each entry linked to its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

import pyoxigraph as ox

from graph.read.corpus import histories, published_of
from graph.read.evidence import Evidence, evidence_of
from graph.read.ids import full_iri
from graph.read.lists import acts_involving
from graph.read.query import select
from graph.store import Store

__all__ = ["ATOM", "Entry", "Feed", "pair_feed", "to_atom"]

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Entry:
    """One step of an act's status history: the act was reported (new) or its status moved."""

    id: str  # the step's IRI (or the act's, for an act without a history)
    act: str
    act_label: str
    position: int
    status: str
    by_act: str
    by_label: str
    date_text: str | None  # the date as the graph knows it (EDTF), if any
    date_basis: str | None
    updated: date | None  # the step's date, or its sources' publication, whichever is later
    published: date | None  # when the first source reporting it was published
    evidence: tuple[Evidence, ...]
    source_urls: tuple[str, ...]


@dataclass
class Feed:
    """A pair's feed: its title, the countries and the entries, newest first."""

    title: str
    countries: tuple[str, str]
    entries: list[Entry] = field(default_factory=list)

    @property
    def updated(self) -> date | None:
        """The newest date of any entry (None when no entry has a date)."""
        dated = [e.updated for e in self.entries if e.updated is not None]
        return max(dated) if dated else None


def _day(value: Any) -> date | None:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _labels(store: Store, iris: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(iris), 400):
        values = " ".join(str(ox.NamedNode(x)) for x in iris[i : i + 400])
        for r in select(
            store,
            f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }} ORDER BY ?x ?l",
        ):
            out.setdefault(r["x"], r["l"])
    return out


def _evidence_sources(store: Store, acts: Sequence[str]) -> list[str]:
    return sorted({e.source for spans in evidence_of(store, acts).values() for e in spans})


def _urls(store: Store, sources: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i in range(0, len(sources), 400):
        values = " ".join(str(ox.NamedNode(x)) for x in sources[i : i + 400])
        for r in select(
            store, f"SELECT ?s ?u WHERE {{ VALUES ?s {{ {values} }} ?s schema:url ?u }}"
        ):
            out.setdefault(r["s"], []).append(r["u"])
    return out


def pair_feed(store: Store, base: str, a: ox.NamedNode, b: ox.NamedNode) -> Feed:
    """The new and changed acts of a country pair: one entry per step of each act's status
    history (its first report, then each act that follows it), newest first.

    Args:
        store: the store.
        base: the configured base IRI.
        a, b: the two countries.

    Returns:
        The feed. An entry is dated by the later of the step's own date and its sources'
        publication dates; an entry the graph can date neither way has no date.

    Examples:
        >>> store = seed_store()
        >>> kh = ox.NamedNode("https://bilateral-kg.example/id/place/cambodia")
        >>> kr = ox.NamedNode("https://bilateral-kg.example/id/place/south-korea")
        >>> feed = pair_feed(store, "https://bilateral-kg.example/", kh, kr)
        >>> feed.title, len(feed.entries), feed.entries[0].status
        ('Cambodia – South Korea: new and changed cooperation acts', 10, 'proposed')
    """
    names = _labels(store, [a.value, b.value])
    acts = sorted(acts_involving(store, a) & acts_involving(store, b))
    title = f"{names.get(a.value, a.value)} – {names.get(b.value, b.value)}"
    feed = Feed(f"{title}: new and changed cooperation acts", (a.value, b.value))
    if not acts:
        return feed
    found = histories(store, acts, base)
    sources = sorted(
        {
            full_iri(src, base)
            for h in found.values()
            for st in h["status_history"]
            for src in st["sources"]
        }
        | set(_evidence_sources(store, acts))
    )
    published = {iri: _day(day) for iri, day in published_of(store, sources).items()}
    urls = _urls(store, sources)
    by_acts = sorted(
        {full_iri(st["act"], base) for h in found.values() for st in h["status_history"]}
    )
    labels = _labels(store, sorted(set(acts) | set(by_acts)))
    evidence = evidence_of(store, by_acts)
    for act in acts:
        history = found.get(act)
        if history is None:
            continue
        derived = history["status_reason"] is not None  # else a history of one, made up here
        for st in history["status_history"]:
            by = full_iri(st["act"], base)
            spans = tuple(evidence.get(by, []))
            srcs = [full_iri(x, base) for x in st["sources"]] or sorted({e.source for e in spans})
            pubs = sorted(d for d in (published.get(x) for x in srcs) if d is not None)
            own = _day(st["sort_date"]) if st["date_basis"] != "unknown" else None
            candidates = [d for d in (own, pubs[-1] if pubs else None) if d is not None]
            feed.entries.append(
                Entry(
                    id=f"{act}/status-history/{st['position']}" if derived else act,
                    act=act,
                    act_label=labels.get(act, act),
                    position=int(st["position"]),
                    status=st["status"].replace("-", " "),
                    by_act=by,
                    by_label=labels.get(by, by),
                    date_text=st["date"],
                    date_basis=st["date_basis"],
                    updated=max(candidates) if candidates else None,
                    published=pubs[0] if pubs else None,
                    evidence=spans,
                    source_urls=tuple(sorted({u for x in srcs for u in urls.get(x, [])})),
                )
            )
    feed.entries.sort(
        key=lambda e: (e.updated is not None, e.updated or date.min, e.act, e.position),
        reverse=True,
    )
    return feed


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def to_atom(
    feed: Feed, base: str, self_path: str, pair_path: str, origin: str | None = None
) -> bytes:
    """The feed as an Atom 1.0 document (RFC 4287).

    Args:
        feed: the feed.
        base: the configured base IRI: the feed's and the entries' ids are IRIs under it.
        origin: where the server is reached (its public URL); the links point there, to the
            pages of the graph's IRIs. Default: the base.
        self_path: the feed's own path (``pair/KH-KR/feed.atom``).
        pair_path: the pair's page (``pair/KH-KR``).

    Returns:
        UTF-8 XML. Atom requires every entry to have an ``updated`` time: an entry the graph
        cannot date takes the feed's (its newest date), and says so in its content.

    Examples:
        >>> xml = to_atom(Feed("A – B", ("a", "b")), "https://kg.example/", "pair/A-B/feed.atom",
        ...               "pair/A-B")
        >>> b"<title>A \\xe2\\x80\\x93 B</title>" in xml
        True
    """
    here = (origin or base).rstrip("/")

    def page(iri: str) -> str:
        if iri.startswith(f"{base}id/"):
            return f"{here}/id/{iri[len(f'{base}id/') :]}"
        return iri

    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", f"{base}{self_path}")
    _text(root, "title", feed.title)
    fallback = feed.updated or date(1970, 1, 1)
    _text(root, "updated", _stamp(fallback))
    ET.SubElement(
        root, f"{{{ATOM}}}link", rel="self", href=f"{here}/{self_path}", type="application/atom+xml"
    )
    ET.SubElement(
        root, f"{{{ATOM}}}link", rel="alternate", href=f"{here}/{pair_path}", type="text/html"
    )
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "bilateral-kg")
    _text(root, "generator", "bilateral-kg")
    for e in feed.entries:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", e.id)
        new = e.position == 1
        title = (
            f"{e.act_label} ({e.status})"
            if new
            else f"{e.act_label}: now {e.status} ({e.by_label})"
        )
        _text(entry, "title", title)
        _text(entry, "updated", _stamp(e.updated or fallback))
        if e.published is not None:
            _text(entry, "published", _stamp(e.published))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=page(e.act), type="text/html")
        for ev in e.evidence:
            span = ev.source
            if ev.source.startswith(f"{base}id/source/"):
                sid = ev.source[len(f"{base}id/source/") :]
                span = page(f"{base}id/span/{sid}/{ev.start}-{ev.end}")  # its page marks the quote
            ET.SubElement(
                entry,
                f"{{{ATOM}}}link",
                rel="related",
                href=span,
                title=f"{ev.source_title}, characters {ev.start}–{ev.end}",
            )
        for url in e.source_urls:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="via", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=e.status, label=e.status)
        summary = "new" if new else f"status now {e.status}, by {e.by_label}"
        when = e.date_text or "date not given"
        quotes = " ".join(
            f"“{ev.exact}” ({ev.source_title}, {ev.start}–{ev.end})" for ev in e.evidence
        )
        _text(entry, "summary", f"{summary}; {when}. {quotes}".strip())
        # the content in HTML: Atom escapes it as text, a reader renders it
        parts = [f"<p>{_esc(summary)} · {_esc(when)}</p>"]
        for ev in e.evidence:
            parts.append(
                f'<blockquote cite="{_esc(ev.source)}">{_esc(ev.exact)}</blockquote>'
                f"<p>— {_esc(ev.source_title)}, characters {ev.start}–{ev.end}</p>"
            )
        _text(entry, "content", "".join(parts), type="html")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
