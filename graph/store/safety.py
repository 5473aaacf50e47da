"""Refuse SPARQL that would make the engine fetch anything (SERVICE, LOAD) or overflow its parser.

The guard reads a request with the terminals of the SPARQL grammar (SPARQL 1.1 and the 1.2
additions the engine accepts; the lexer is :mod:`graph.store.lexer`): IRIs, prefixed names with
``PN_LOCAL_ESC`` and ``%xx``, the four string forms with their escapes, language tags with a
base direction, comments, variables, numbers and punctuation. A keyword counts only as a token
of its own, never inside a string, an IRI, a comment, a prefixed name, a variable or a language
tag; ``<`` after an operand inside an expression is the less-than operator, as both parsers
read it, not the start of an IRI.

Where the engine (Oxigraph 0.5, a PEG parser) reads more than the grammar allows, the guard
follows the engine: its keywords need no word boundary, so ``SERVICE:x {…}`` or ``SERVICEex:s
{…}`` is a SERVICE call when the prefixed-name reading fails; such glued forms are refused too.
Remote engines may process ``\\uXXXX`` escapes before parsing (SPARQL 1.1 §19.2), so the text is
also read with them decoded, and the union of both readings is checked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from graph.store.lexer import _UCHAR_RE, Token, _Lexer, mask, tokens

__all__ = [
    "MAX_CHAIN",
    "MAX_NESTING",
    "Reading",
    "Token",
    "UnsafeQueryError",
    "check_query",
    "check_update",
    "declares_dataset",
    "mask",
    "nesting",
    "read",
    "service_targets",
    "tokens",
]


class UnsafeQueryError(ValueError):
    """A query or update that would reach outside the store, or crash the engine's parser."""


# ---- what a request does -----------------------------------------------------------------------

MAX_NESTING = 1000
# The engine's parser and evaluator recurse on sequences too: 3,000 BINDs in one group, 8,000
# terms of ``1+1+…`` or 16,000 of ``true||true||…`` overflow its stack with no bracket at all
# (measured on Oxigraph 0.5.13), so one level holds at most this many operators, pattern
# keywords (OPTIONAL, FILTER, BIND, …) and groups.
MAX_CHAIN = 1000


@dataclass
class Reading:
    """What a request does, as the guard reads it."""

    services: list[str] = field(default_factory=list)  # SERVICE targets (IRI, ?var, prefixed)
    loads: int = 0
    depth: int = 0
    chain: int = 0  # the most operators, pattern keywords and groups at one level
    dataset: bool = False  # FROM or FROM NAMED

    def merge(self, other: Reading) -> None:
        self.services += [s for s in other.services if s not in self.services]
        self.loads = max(self.loads, other.loads)
        self.depth = max(self.depth, other.depth)
        self.chain = max(self.chain, other.chain)
        self.dataset = self.dataset or other.dataset


def _unescape_codepoints(text: str) -> str:
    r"""The text with ``\uXXXX`` and ``\UXXXXXXXX`` decoded, as SPARQL 1.1 §19.2 has it."""

    def one(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group()[2:], 16))
        except ValueError:
            return m.group()

    return _UCHAR_RE.sub(one, text)


_SIGNIFICANT = frozenset(
    {"IRI", "PNAME", "BNODE", "VAR", "STRING", "LANGTAG", "NUMBER", "WORD", "PUNCT", "ERROR"}
)
_TARGETS = frozenset({"IRI", "PNAME", "VAR"})


def _iri_of(tok: Token, prefixes: dict[str, str]) -> str:
    """The IRI a target token names, as well as the guard can tell (``?v`` for a variable)."""
    if tok.kind == "IRI":
        return _unescape_codepoints(tok.text[1:-1])
    if tok.kind == "PNAME":
        ns, _, local = tok.text.partition(":")
        if ns in prefixes:
            return prefixes[ns] + local.replace("\\", "")
    return tok.text


def _glued(text: str, start: int, keyword: str, then: str) -> Token | None:
    """The target of a keyword the engine would read at ``start`` without a word boundary
    (``SERVICEex:s {``, ``LOAD<file:…>``): the token after it, optionally after SILENT, if that
    token is a target followed by ``then`` (``{`` for SERVICE; anything for LOAD)."""
    rest = start + len(keyword)
    for skip_silent in (True, False):
        pos = rest
        ahead = [t for t in _head(text, pos) if t.kind != "COMMENT"]
        if skip_silent:
            if not (ahead and ahead[0].text[:6].lower() == "silent"):
                continue
            pos = ahead[0].start + 6
            ahead = [t for t in _head(text, pos) if t.kind != "COMMENT"]
        if ahead and ahead[0].kind in _TARGETS:
            if not then:
                return ahead[0]
            if len(ahead) > 1 and ahead[1].text == then:
                return ahead[0]
    return None


def _head(text: str, pos: int, count: int = 3) -> list[Token]:
    out: list[Token] = []
    for t in _Lexer(text).run(pos):
        out.append(t)
        if len(out) >= count + 2:
            break
    return out


def _read_one(text: str, update: bool) -> Reading:
    lexer = _Lexer(text)
    reading = Reading()
    prefixes: dict[str, str] = {}
    sig: list[Token] = []  # significant tokens so far
    for t in lexer.run():
        if t.kind not in _SIGNIFICANT:
            continue
        prev = sig[-1] if sig else None
        word = t.text.lower() if t.kind in ("WORD", "PNAME") else ""
        depth = len(lexer.stack)
        # PREFIX declarations, to name SERVICE targets given as prefixed names.
        if (
            len(sig) >= 2
            and t.kind == "IRI"
            and sig[-1].kind == "PNAME"
            and sig[-2].kind == "WORD"
            and sig[-2].text.lower() == "prefix"
        ):
            prefixes[sig[-1].text[:-1]] = _unescape_codepoints(t.text[1:-1])
        keyword_before = (
            prev is not None
            and prev.kind == "WORD"
            and prev.text.lower() not in ("a", "true", "false")
        )
        if t.kind == "WORD" and word == "service":
            reading.services.append(_service_target(text, t, prefixes))
        elif word.startswith("service") and not keyword_before:
            target = _glued(text, t.start, "service", "{")
            if target is not None:
                reading.services.append(_iri_of(target, prefixes))
        if (t.kind == "WORD" and word == "load") or (
            update
            and word.startswith("load")
            and depth == 0
            and not keyword_before
            and _glued(text, t.start, "load", "") is not None
        ):
            reading.loads += 1
        if word.startswith("from") and depth == 0:
            # FROM, FROM NAMED, and the engine's glued FROMNAMED<…> or FROM:g (a prefixed name
            # at the top level whose prefix is not declared can only be that).
            glued = (
                t.kind == "PNAME" and not keyword_before and t.text.split(":")[0] not in prefixes
            )
            reading.dataset |= (t.kind == "WORD" and word in ("from", "fromnamed")) or glued
        sig.append(t)
    reading.depth = lexer.deepest
    reading.chain = lexer.chain
    return reading


def _service_target(text: str, tok: Token, prefixes: dict[str, str]) -> str:
    ahead = [t for t in _head(text, tok.end) if t.kind != "COMMENT"]
    if ahead and ahead[0].kind == "WORD" and ahead[0].text.lower() == "silent":
        ahead = ahead[1:]
    return _iri_of(ahead[0], prefixes) if ahead else ""


#: Texts up to this many characters keep their reading (:func:`read`), the last
#: ``READINGS`` of them: at most 8 MiB.
READ_KEPT_CHARS = 16_384
READINGS = 512


def read(text: str, update: bool = False) -> Reading:
    """What a query (or an update) does: its SERVICE targets, LOADs, nesting depth, the longest
    chain of operators, and whether it names its own dataset. When ``\\u`` escapes are present
    the text is read twice, as it is and with them decoded, and the readings are merged.

    The reading of each of the last few hundred texts is kept and given again (the same
    object: not to be changed): a query is read by the guard and again to know whether it
    names its dataset, and clients send the same queries again and again; reading one takes
    about 0.1 ms for ten lines.

    Examples:
        >>> r = read('PREFIX e: <http://e/> SELECT * { BIND(e:a\\\\# AS ?z) SERVICE ?x { } }')
        >>> r.services, r.depth
        (['?x'], 2)
        >>> read('SELECT ("x"@service AS ?s) FROM <http://e/g> {}').services
        []
    """
    if len(text) <= READ_KEPT_CHARS:
        return _kept_reading(text, update)
    return _reading(text, update)


def _reading(text: str, update: bool) -> Reading:
    reading = _read_one(text, update)
    decoded = _unescape_codepoints(text)
    if decoded != text:
        reading.merge(_read_one(decoded, update))
    return reading


_kept_reading = functools.lru_cache(maxsize=READINGS)(_reading)


def service_targets(text: str) -> list[str]:
    """The endpoints named by the SERVICE clauses of a query (``?var`` when not an IRI).

    Examples:
        >>> service_targets("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
        ['http://e/sparql']
        >>> service_targets('SELECT * { ?s ?p "SERVICE <http://e/x>" } # SERVICE <http://f/>')
        []
        >>> service_targets("SELECT * { ?s <http://e/SERVICE> ?o . ?service ?p ?o }")
        []
    """
    return list(read(text).services)


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset (``FROM`` or ``FROM NAMED``).

    Examples:
        >>> declares_dataset("SELECT * FROM <http://e/g> { ?s ?p ?o }")
        True
        >>> declares_dataset('SELECT * { ?s <http://e/from> "FROM" }')
        False
        >>> declares_dataset('SELECT ("x"@from AS ?l) {}')
        False
    """
    return read(text).dataset


def nesting(text: str) -> int:
    """The deepest nesting of groups, parentheses, brackets and triple terms outside strings,
    IRIs and comments.

    Examples:
        >>> nesting('SELECT * { { ?s ?p "((((" } FILTER ((1)) }')
        3
        >>> nesting('SELECT * { ?s ?p <<( ?a ?b ?c )>> }')
        2
    """
    return read(text).depth


def _check(reading: Reading, allowed_services: Collection[str]) -> None:
    # The engine's parser recurses: thousands of nested groups overflow its stack and kill the
    # process, so deep nesting and long chains are refused before they get there.
    if reading.depth > MAX_NESTING:
        raise UnsafeQueryError(
            f"the request nests groups or expressions more than {MAX_NESTING} deep; flatten it"
        )
    if reading.chain > MAX_CHAIN:
        raise UnsafeQueryError(
            f"the request has more than {MAX_CHAIN} operators or graph patterns at one level; "
            "split it"
        )
    for target in reading.services:
        if target not in allowed_services:
            shown = f"<{target}>" if "://" in target or target.startswith("urn:") else target
            raise UnsafeQueryError(
                f"SERVICE {shown} is not allowed: this endpoint does not fetch remote data on "
                f"a query's behalf"
            )


def check_query(text: str, allowed_services: Collection[str] = ()) -> None:
    """Refuse a query whose SERVICE clauses name endpoints outside the allow-list, or that
    nests or chains deep enough to overflow the engine's parser.

    Raises:
        UnsafeQueryError: with a message naming the endpoint.

    Examples:
        >>> check_query("ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: SERVICE <http://127.0.0.1:9/> is not allowed: ...
        >>> check_query('PREFIX e: <http://e/> ASK { e:a\\\\# e:p SERVICE <http://f/> {} }')
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: SERVICE <http://f/> is not allowed: ...
    """
    _check(read(text), allowed_services)


def check_update(text: str, allowed_services: Collection[str] = ()) -> None:
    """Refuse an update that uses LOAD, or a SERVICE outside the allow-list.

    Raises:
        UnsafeQueryError: with a message saying what is refused.

    Examples:
        >>> check_update("LOAD <file:///etc/passwd>")
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: LOAD is not allowed: ...
        >>> check_update('INSERT DATA { <http://e/s> <http://e/p> "LOAD" }')
    """
    reading = read(text, update=True)
    if reading.loads:
        raise UnsafeQueryError(
            "LOAD is not allowed: this endpoint does not fetch remote or local files"
        )
    _check(reading, allowed_services)
