"""Type-ahead search over labels and aliases: case- and accent-insensitive, prefix and fuzzy."""

from __future__ import annotations

import bisect
from collections.abc import Collection
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from graph.read.query import select
from graph.store import PerVersion, Store
from graph.text import bare, is_word_char
from ontology.vocabulary import kinds_values

__all__ = ["MAX_NAME", "Hit", "SearchIndex", "normalize"]

#: No name is longer: a longer one is refused before any search runs.
MAX_NAME = 300

_KINDS = kinds_values(searched=True)


def normalize(text: str) -> str:
    """Fold case and accents, and keep letters, digits and the marks of scripts such as Khmer
    as space-separated words.

    Examples:
        >>> normalize("Gyeongsangbuk-do  Province")
        'gyeongsangbuk do province'
        >>> normalize("Lê Văn Thành’s")
        'le van thanh s'
        >>> normalize("ហេង សួរ") == "ហេង សួរ"
        True
    """
    kept = (c if is_word_char(c) else " " for c in bare(text))
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class Hit:
    """A search result: the thing, the name that matched, and how well."""

    iri: str
    label: str  # its preferred name
    kind: str  # its kind of node (ontology.vocabulary.KINDS)
    types: tuple[str, ...]  # its classes
    matched: str  # the name or alias that matched, as written
    score: float  # 0 to 100, 100 an exact match


@dataclass
class _Entry:
    iri: str
    label: str
    kind: str
    rank: int
    types: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # normalized -> as written


def _plain_score(query: str, tokens: list[str], name: str) -> float:
    """The score of an exact, prefix, word-prefix or substring match (0: none of them).

    Examples:
        >>> _plain_score("heng sour", ["heng", "sour"], "heng sour")
        100.0
        >>> round(_plain_score("sour", ["sour"], "heng sour"), 1)
        79.2
    """
    if name == query:
        return 100.0
    if name.startswith(query):
        return 90.0 - min(10.0, (len(name) - len(query)) / 4)
    words = name.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return 80.0 - min(10.0, (len(name) - len(query)) / 6)
    if query in name:
        return 70.0 - min(10.0, (len(name) - len(query)) / 6)
    return 0.0


#: The least similarity of a fuzzy match; a fuzzy score is then 40 + 20·similarity < 60, below
#: every plain match (60 and more) of the same rank.
FUZZY = 0.75


def _similar(query: str, choices: list[str]) -> list[tuple[str, float, int]]:
    """The choices at least :data:`FUZZY` similar to the query: (choice, similarity, index).

    Examples:
        >>> [(c, round(r, 2)) for c, r, _ in _similar("heng suor", ["heng sour", "kosha"])]
        [('heng sour', 0.89)]
    """
    found = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=100 * FUZZY, limit=None)
    return [(choice, score / 100, k) for choice, score, k in found]


@dataclass
class _Names:
    """Every normalized name of the index, with what finds candidates fast: the names joined
    in one string (a substring search then runs in C), the names by length and by word."""

    entry: list[int]  # name -> its entry
    norm: list[str]
    written: list[str]
    joined: str
    starts: list[int]
    by_length: dict[int, list[int]]
    by_word: dict[str, list[int]]
    words_by_length: dict[int, list[str]]

    @classmethod
    def of(cls, entries: list[_Entry]) -> _Names:
        entry, norm, written = [], [], []
        for i, e in enumerate(entries):
            for name, as_written in e.names.items():
                entry.append(i)
                norm.append(name)
                written.append(as_written)
        starts, pos = [], 0
        for name in norm:
            starts.append(pos)
            pos += len(name) + 1
        by_length: dict[int, list[int]] = {}
        by_word: dict[str, list[int]] = {}
        for j, name in enumerate(norm):
            by_length.setdefault(len(name), []).append(j)
            for w in dict.fromkeys(name.split()):
                by_word.setdefault(w, []).append(j)
        words_by_length: dict[int, list[str]] = {}
        for w in by_word:
            words_by_length.setdefault(len(w), []).append(w)
        joined = "\n".join(norm)
        return cls(entry, norm, written, joined, starts, by_length, by_word, words_by_length)

    def containing(self, needle: str) -> list[int]:
        """The names in which ``needle`` occurs."""
        found = []
        pos = self.joined.find(needle)
        while pos != -1:
            j = bisect.bisect_right(self.starts, pos) - 1
            found.append(j)
            if j + 1 >= len(self.starts):
                break
            pos = self.joined.find(needle, self.starts[j + 1])
        return found


def _build(store: Store) -> tuple[list[_Entry], _Names]:
    """The entries of the index (things with a label, with their kinds and every name) and
    their names."""
    entries: dict[str, _Entry] = {}
    for r in select(
        store,
        f"""
        SELECT ?x ?label ?name ?kind ?rank ?cls WHERE {{
            ?x a ?cls ; rdfs:label ?label . {_KINDS}
            {{ ?x rdfs:label ?name }} UNION {{ ?x skos:altLabel ?name }}
        }}""",
    ):
        entry = entries.get(r["x"])
        if entry is None or r["rank"] < entry.rank:
            old = entry
            entry = entries[r["x"]] = _Entry(r["x"], r["label"], r["kind"], r["rank"])
            if old is not None:
                entry.types, entry.names = old.types, old.names
        entry.types.add(r["kind"])
        entry.names.setdefault(normalize(r["name"]), r["name"])
    ordered = sorted(entries.values(), key=lambda e: e.iri)
    return ordered, _Names.of(ordered)


class SearchIndex:
    """A search index of the store's labelled things, rebuilt when the store changes.

    Examples:
        >>> index = SearchIndex(seed_store())
        >>> [h.label for h in index.search("kosha", limit=1)]
        ['Korea Occupational Safety and Health Agency']
        >>> [h.label for h in index.search("heng suor", limit=1)]
        ['Heng Sour']
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._index = PerVersion(store, _build)

    def search(self, text: str, types: Collection[str] | None = None, limit: int = 10) -> list[Hit]:
        """The best matches for ``text``, best first.

        Args:
            text: what the user typed (any case, accents, punctuation).
            types: keep only these kinds (person, organization, country, place, programme,
                post, group, document, source, dataset, meeting, act, statement).
            limit: at most this many hits.
        """
        query = normalize(text)
        if not query:
            return []
        tokens = query.split()
        wanted = set(types) if types else None
        entries, names = self._index.get()
        # Every plain match contains each token, so the longest token finds the candidates;
        # the fuzzy pass runs only when the plain matches cannot fill the page, since every
        # fuzzy score is below every plain one.
        best: dict[int, tuple[float, int]] = {}  # entry -> (score, name), first name on ties

        def keep(j: int, score: float) -> None:
            i = names.entry[j]
            if wanted is not None and not (entries[i].types & wanted):
                return
            old = best.get(i)
            if old is None or score > old[0] or (score == old[0] and j < old[1]):
                best[i] = (score, j)

        plain: set[int] = set()
        for j in names.containing(max(tokens, key=len)):
            score = _plain_score(query, tokens, names.norm[j])
            if score:
                plain.add(j)
                keep(j, score)
        strong = sum(1 for i, (score, _) in best.items() if score - 3 * entries[i].rank >= 60)
        if strong < limit and len(query) >= 3:
            # Fuzzy: names (and, for one word, the words of names) of about the query's length
            # whose similarity (rapidfuzz's normalized Indel ratio) reaches FUZZY; rapidfuzz
            # prunes what cannot reach it before computing.
            similar: dict[int, float] = {}
            lengths = range(int(len(query) * 0.6), int(len(query) / 0.6) + 2)
            near = [j for n in lengths for j in names.by_length.get(n, ()) if j not in plain]
            for _, r, k in _similar(query, [names.norm[j] for j in near]):
                similar[near[k]] = r
            if len(tokens) == 1:
                words = [w for n in lengths for w in names.words_by_length.get(n, ())]
                for _, r, k in _similar(query, words):
                    for j in names.by_word[words[k]]:
                        if j not in plain and r > similar.get(j, 0.0):
                            similar[j] = r
            for j, r in similar.items():
                keep(j, 40.0 + 20.0 * r)
        hits = [
            (score - 3 * entries[i].rank, entries[i], names.written[j])
            for i, (score, j) in best.items()
        ]
        hits.sort(key=lambda h: (-h[0], len(h[1].label), h[1].label))
        return [
            Hit(e.iri, e.label, e.kind, tuple(sorted(e.types)), matched, round(score, 1))
            for score, e, matched in hits[:limit]
        ]
