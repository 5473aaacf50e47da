"""Labels that tell the nodes of a projection apart: a short label for every node, no two alike,
and a node as a chain of nodes (a path's explanation) names it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from graph.build.dates import readable_date
from graph.read.pages import human_date
from graph.read.projection import Net
from ontology.vocabulary import status_words

__all__ = ["in_chain", "short_labels"]

_WORD = re.compile(r"\S+\s*")
#: Links from a fact to the document or body it is reported by (its "according to").
_ACCORDING_TO = frozenset({"hadPrimarySource", "wasAttributedTo"})


def _clip(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: max(width - 1, 1)]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–—") + "…"


def _elide_common(labels: Sequence[str], width: int) -> list[str]:
    """Labels ``Head: tail`` that share their head and the first words of their tail, with the
    shared words left out so the words that tell them apart are shown."""
    heads = {label.split(": ", 1)[0] for label in labels}
    if len(heads) != 1 or not all(": " in label for label in labels):
        return [_clip(label, width) for label in labels]
    head = heads.pop()
    tails = [_WORD.findall(label.split(": ", 1)[1]) for label in labels]
    common = 0
    while all(len(t) > common + 1 for t in tails) and len({t[common] for t in tails}) == 1:
        common += 1
    if common < 2:
        return [_clip(label, width) for label in labels]
    return [_clip(f"{head}: …{''.join(t[common:])}", width) for t in tails]


def _date_of(G: Net, n: str) -> str | None:
    date = G.nodes[n].get("date") or G.nodes[n].get("when")
    return readable_date(str(date)) if date else None


def _status_of(G: Net, n: str) -> str | None:
    return status_words(G.nodes[n].get("status")) or None


def _source_of(G: Net, n: str) -> str | None:
    """The sources a fact is quoted from (its evidence), else the one it is reported by."""
    evidence = G.graph.get("evidence", {})
    found = sorted({str(e["source_label"]) for e in evidence.get(n, [])})
    if not found:
        found = sorted(
            str(G.nodes[v].get("label") or v)
            for v in G.adj[n]
            for link in G.edges[n, v]["links"]
            if link.relation in _ACCORDING_TO and link.source == n
        )
    return "; ".join(found) or None


#: What tells nodes with the same label apart, in the order a reader is helped by it.
_FACETS: tuple[Callable[[Net, str], str | None], ...] = (_date_of, _status_of, _source_of)


def _tags(G: Net, ns: Sequence[str], width: int) -> dict[str, str]:
    """For nodes with the same label: the words that tell them apart, taken facet by facet
    (date, status, source) until no two read the same; the end of the node's id last."""
    evidence = G.graph.get("evidence")
    if evidence is not None and hasattr(evidence, "prefetch"):
        evidence.prefetch(ns)  # one query for the whole group
    chosen: dict[str, list[str]] = {n: [] for n in ns}
    for facet in _FACETS:
        values = {n: facet(G, n) for n in ns}
        if len(set(values.values())) == 1:
            continue  # the same for all of them: it tells nothing apart
        for n in ns:
            if values[n]:
                chosen[n].append(_clip(str(values[n]), width // 2))
        if len({tuple(words) for words in chosen.values()}) == len(ns):
            break
    else:
        for n in ns:
            chosen[n].append(n.rstrip("/").rsplit("/", 1)[-1])
    return {n: ", ".join(words) for n, words in chosen.items()}


def short_labels(G: Net, width: int = 60) -> dict[str, str]:
    """A short label for every node, no two alike: long labels are cut at a word, labels that
    would read the same show the words that tell them apart, and nodes with the same label in
    full get what tells them apart: their date, else their status, else the source they are
    reported in, and only when all of these are the same, the end of their id.

    Args:
        G: a projection (``G.graph["evidence"]``, if set, gives the sources of facts).
        width: most characters of a label.

    Returns:
        ``{node: label}``, kept with ``G`` (computed once per projection).

    Examples:
        >>> import networkx as nx
        >>> G = nx.Graph()
        >>> G.add_node("a", label="Request by X: examine the possibility of working with KOSHA")
        >>> G.add_node("b", label="Request by X: examine the possibility of working with NEA")
        >>> G.add_node("c", label="Agreement", date="XXXX-03-08")
        >>> G.add_node("d", label="Agreement", date="XXXX-03-06")
        >>> sorted(short_labels(G, width=30).values())
        ['Agreement (6 March)', 'Agreement (8 March)', 'Request by X: …KOSHA', 'Request by X: …NEA']

        The same request made on the same day, twice: told apart by status, else by source.

        >>> H = nx.Graph()
        >>> H.add_node("r1", label="Request by X: trucks", when="XXXX-03-08", status="agreed")
        >>> H.add_node("r2", label="Request by X: trucks", when="XXXX-03-08", status="requested")
        >>> H.add_node("r3", label="Request by X: trucks", when="XXXX-03-08", status="requested")
        >>> H.graph["evidence"] = {"r2": [{"source_label": "Khmer Times"}],
        ...                        "r3": [{"source_label": "Phnom Penh Post"}]}
        >>> for n, label in sorted(short_labels(H).items()):
        ...     print(n, label)
        r1 Request by X: trucks (agreed)
        r2 Request by X: trucks (requested, Khmer Times)
        r3 Request by X: trucks (requested, Phnom Penh Post)

    Notes:
        O(n log n) for n nodes, and one read of evidence (a query per thousand nodes) for the
        nodes whose short labels are the same.
    """
    cached: dict[str, str] | None = G.graph.get("short_labels")
    if cached is not None and G.graph.get("short_labels_width") == width:
        return cached
    out = {n: _clip(str(G.nodes[n].get("label") or n), width) for n in G}
    for _ in range(3):
        by_text: dict[str, list[str]] = defaultdict(list)
        for n, text in out.items():
            by_text[text].append(n)
        clashes = [sorted(ns) for ns in by_text.values() if len(ns) > 1]
        if not clashes:
            break
        evidence = G.graph.get("evidence")
        if evidence is not None and hasattr(evidence, "prefetch"):
            # The sources of every clashing node in a few queries, not one query per group
            # (a thousand groups in a 1M-triple graph: 1.6 s at the first path asked).
            evidence.prefetch(n for ns in clashes for n in ns)
        for ns in clashes:
            fulls = [str(G.nodes[n].get("label") or n) for n in ns]
            if len(set(fulls)) == len(fulls):
                for n, text in zip(ns, _elide_common(fulls, width), strict=True):
                    out[n] = text
                continue
            tags = _tags(G, ns, width)
            for n, full in zip(ns, fulls, strict=True):
                tag = tags[n]
                if tag:
                    out[n] = f"{_clip(full, width - len(tag) - 3)} ({tag})"
                else:
                    out[n] = _clip(full, width)
    # Whatever still clashes (the same label, date, status, source and id end) is numbered.
    seen: dict[str, int] = defaultdict(int)
    for n in sorted(out):
        seen[out[n]] += 1
        if seen[out[n]] > 1:
            out[n] = f"{out[n]} ({seen[out[n]]})"
    G.graph["short_labels"], G.graph["short_labels_width"] = out, width
    return out


def in_chain(G: Net, n: str, labels: dict[str, str] | None = None) -> str:
    """A node as a chain of nodes (a path's explanation) names it: by its short label, an act
    with the day it was made (in words, saying how much of the date is known), the place and
    its status.

    Args:
        G: a projection.
        n: a node of ``G``.
        labels: the short labels of ``G`` (default: :func:`short_labels`).

    Examples:
        >>> import networkx as nx
        >>> G = nx.Graph()
        >>> G.add_node("a", label="Request by X: trucks", kind="act", status="under-examination",
        ...            when="XXXX-03-08", timeline="2024?-03-08", where="Seoul")
        >>> in_chain(G, "a")
        'Request by X: trucks (8 March 2024, year inferred, Seoul, under examination)'
    """
    data: dict[str, Any] = G.nodes[n]
    label = (labels if labels is not None else short_labels(G))[n]
    if data.get("kind") != "act":
        return label
    date = data.get("timeline") or data.get("date") or data.get("when")
    extra = [
        human_date(str(date)) if date else None,
        data.get("where"),
        status_words(data.get("status")) or None,
    ]
    shown = [str(e) for e in extra if e]
    return label + (f" ({', '.join(shown)})" if shown else "")
