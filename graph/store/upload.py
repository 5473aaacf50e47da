"""Check and parse RDF uploads within limits: nesting depth, DTDs, encodings, in every format.

Oxigraph's parsers recurse on nesting: a JSON-LD document nested 10,000 objects deep, or Turtle
with 20,000 nested triple terms, overflows the parsing thread's stack and kills the process
(issue 13). So the nesting is measured first, by a scan that does not recurse, and a document
nested deeper than ``MAX_DEPTH`` is refused before any parser sees it. The server parses uploads
in a query worker process, never in its own, so whatever slips past these checks (or the memory
budget of the worker) costs a worker, not the server.
"""

from __future__ import annotations

import re
from itertools import accumulate

import pyoxigraph as ox

from graph.store.safety import UnsafeQueryError

__all__ = ["MAX_DEPTH", "UploadLimitError", "check_upload", "nesting_depth", "parse_upload"]

#: The deepest nesting an upload may have (JSON objects and arrays, Turtle's ``[ ( { <<``,
#: XML elements). Real data nests a few levels; Oxigraph's parsers handle thousands.
MAX_DEPTH = 1000


class UploadLimitError(UnsafeQueryError):
    """An upload past one of the limits (its nesting); the message names the limit."""


# Strings, comments and IRIs hide brackets. Long strings first: they may hold quotes.
_TURTLE_OPAQUE = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    rb'|"(?:[^"\\\n]|\\.)*"'
    rb"|'(?:[^'\\\n]|\\.)*'"
    rb"|<[^<>\"{}|^`\\\s]*>"
    rb"|#[^\n]*",
    re.DOTALL,
)
_TURTLE_NEST = re.compile(rb"<<|>>|[\[\](){}]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_NEST = re.compile(rb"[\[\]{}]")
_XML_OPAQUE = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>", re.DOTALL)
# A tag: its name, then attributes whose quoted values may hold '>' or '/'.
_XML_TAG = re.compile(rb"<(/?)[A-Za-z_:][^\s/>]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_STEP = {ord("<"): 1, ord(">"): -1, ord("["): 1, ord("]"): -1, ord("("): 1, ord(")"): -1}
_STEP |= {ord("{"): 1, ord("}"): -1}


def _deepest(tokens: list[bytes]) -> int:
    # accumulate and max run in C: a 100 MB document's brackets are counted in a blink.
    steps = (_STEP[t[0]] for t in tokens)
    return max(accumulate(steps, initial=0))


def nesting_depth(data: bytes, fmt: ox.RdfFormat) -> int:
    """How deep a document nests: objects and arrays in JSON-LD; ``[ ( { <<`` in Turtle,
    TriG, N-Triples and N-Quads (outside strings, IRIs and comments); elements in RDF/XML.

    Args:
        data: the document.
        fmt: its format.

    Returns:
        The deepest nesting.

    Examples:
        >>> nesting_depth(b'{"@id": "http://e/a", "http://e/p": [{"@value": "]]"}]}',
        ...               ox.RdfFormat.JSON_LD)
        3
        >>> nesting_depth(b'<http://e/s> <http://e/p> << <http://e/a> <http://e/b> "]" >> .',
        ...               ox.RdfFormat.TURTLE)
        1
        >>> nesting_depth(b'<r><a x="/>"><b/></a><!-- <c><c> --></r>', ox.RdfFormat.RDF_XML)
        3
    """
    if fmt == ox.RdfFormat.JSON_LD:
        return _deepest(_JSON_NEST.findall(_JSON_STRING.sub(b"", data)))
    if fmt == ox.RdfFormat.RDF_XML:
        depth = deepest = 0
        for m in _XML_TAG.finditer(_XML_OPAQUE.sub(b"", data)):
            if m.group(1):
                depth -= 1
            elif not m.group(2):
                depth += 1
                deepest = max(deepest, depth)
            else:
                deepest = max(deepest, depth + 1)
        return deepest
    return _deepest(_TURTLE_NEST.findall(_TURTLE_OPAQUE.sub(b"", data)))


def check_upload(data: bytes, fmt: ox.RdfFormat, max_depth: int = MAX_DEPTH) -> None:
    """Refuse an upload that no parser should see: RDF/XML with a DTD or entity declarations
    anywhere (not only in its first bytes: a long leading comment hid a "billion laughs"), or
    in an encoding other than UTF-8; any document nested deeper than ``max_depth``.

    Raises:
        UnsafeQueryError: RDF/XML with a DTD, entities or another encoding.
        UploadLimitError: nesting past ``max_depth``.

    Examples:
        >>> check_upload(b'<!-- x --><!DOCTYPE r [<!ENTITY a "a">]><r/>', ox.RdfFormat.RDF_XML)
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: RDF/XML with a DTD or entity declarations ...
        >>> check_upload(b"[" * 2000 + b"]" * 2000, ox.RdfFormat.JSON_LD)
        Traceback (most recent call last):
        ...
        graph.store.upload.UploadLimitError: the upload nests 2000 levels deep; the limit is 1000
    """
    if fmt == ox.RdfFormat.RDF_XML:
        if _DTD.search(data):
            raise UnsafeQueryError("RDF/XML with a DTD or entity declarations is not accepted")
        declared = _XML_ENCODING.match(data)
        wide = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]
        if wide or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii")):
            raise UnsafeQueryError("RDF/XML must be encoded in UTF-8")
    depth = nesting_depth(data, fmt)
    if depth > max_depth:
        raise UploadLimitError(f"the upload nests {depth} levels deep; the limit is {max_depth}")


def parse_upload(data: bytes, fmt: ox.RdfFormat, graph: str | None, base_iri: str | None) -> bytes:
    """Check an upload, parse it and put every triple in ``graph`` (``None``: the default
    graph); the quads come back as N-Quads, ready for the store.

    Args:
        data: the document.
        fmt: its format.
        graph: the graph every triple goes to (a dataset's own graph names are dropped).
        base_iri: the base for relative IRIs.

    Returns:
        N-Quads.

    Raises:
        UnsafeQueryError: see ``check_upload``.
        SyntaxError: the document is not valid in its format.

    Examples:
        >>> parse_upload(b'<a> <http://e/p> "x" .', ox.RdfFormat.TURTLE, "http://e/g", "http://e/")
        b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n'
    """
    check_upload(data, fmt)
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, target)
        for q in ox.parse(data, format=fmt, base_iri=base_iri)
    ]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
