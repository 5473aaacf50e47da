"""SPARQL result formats: content negotiation and the serializers of every result form."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "BOOLEAN_TYPES",
    "FORMAT_ALIASES",
    "GRAPH_TYPES",
    "SOLUTION_TYPES",
    "choose",
    "preferred",
    "serialize_boolean",
    "serialize_graph",
    "serialize_solutions",
]

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Media types for SELECT results, the first the default.
SOLUTION_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media types for ASK results, the first the default.
BOOLEAN_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: Media types for CONSTRUCT and DESCRIBE results, the first the default.
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
#: The ``format=``/``output=``/``results=`` values clients such as SPARQLWrapper send, read
#: for result sets (SELECT, ASK) and for graphs (CONSTRUCT, DESCRIBE): "xml" is SPARQL XML for
#: the one and RDF/XML for the other.
FORMAT_ALIASES: dict[str, dict[str, str]] = {
    "results": {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "json": "application/ld+json",
        "json-ld": "application/ld+json",
        "jsonld": "application/ld+json",
        "xml": "application/rdf+xml",
        "rdf+xml": "application/rdf+xml",
        "rdf": "application/rdf+xml",
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "n3": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "nquads": "application/n-quads",
        "trig": "application/trig",
    },
}


def preferred(accept: str, format_name: str | None, form: str, offered: Sequence[str]) -> str:
    """The Accept to negotiate with: a ``format=`` name that fits the result form wins.

    Examples:
        >>> preferred("*/*", "xml", "graph", list(GRAPH_TYPES))
        'application/rdf+xml'
        >>> preferred("text/csv", "turtle", "results", list(SOLUTION_TYPES))
        'text/csv'
    """
    if format_name:
        name = format_name.strip().lower()
        media = FORMAT_ALIASES[form].get(name, name if name in offered else None)
        if media:
            return media
    return accept


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float


_PARAM = re.compile(r";\s*q\s*=\s*([0-9.]+)", re.IGNORECASE)


def _ranges(accept: str) -> list[_Range]:
    out = []
    for part in accept.split(","):
        part = part.strip()
        if not part:
            continue
        media = part.split(";", 1)[0].strip().lower()
        m = _PARAM.search(part)
        try:
            q = float(m.group(1)) if m else 1.0
        except ValueError:
            q = 0.0
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        kind, sub = media.split("/", 1)
        out.append(_Range(kind, sub, max(0.0, min(q, 1.0))))
    return out


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers (RFC 9110 q-values); ``None`` if none fits.

    The most specific matching range gives a type its quality; ties go to the order of
    ``offered``. An empty ``Accept`` takes the first offered type.

    Examples:
        >>> choose("text/csv;q=0.5, application/sparql-results+xml", list(SOLUTION_TYPES))
        'application/sparql-results+xml'
        >>> choose("*/*", ["text/turtle", "application/n-triples"])
        'text/turtle'
        >>> choose("application/rdf+xml;q=0.9, text/*;q=0.1", list(GRAPH_TYPES)[:4])
        'application/rdf+xml'
        >>> choose("image/png", ["text/turtle"]) is None
        True
    """
    ranges = _ranges(accept or "")
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int] | None = None
    chosen = None
    for rank, media in enumerate(offered):
        kind, sub = media.split("/", 1)
        quality, specificity = 0.0, -1
        for r in ranges:
            if r.type == kind and r.subtype == sub:
                level = 2
            elif r.type == kind and r.subtype == "*":
                level = 1
            elif r.type == "*" and r.subtype == "*":
                level = 0
            else:
                continue
            if level > specificity:
                quality, specificity = r.q, level
        if specificity >= 0 and quality > 0:
            key = (quality, -rank)
            if best is None or key > best:
                best, chosen = key, media
    return chosen


# ------------------------------------------------------------------------------------------
# Serializers
# ------------------------------------------------------------------------------------------

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: A JSON string (the C function the encoder above uses for strings).
_quote: Callable[[str], str] = json.encoder.encode_basestring


def _direction(term: ox.Literal) -> str | None:
    d = term.direction
    return None if d is None else str(d)


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = _direction(term)
            if direction:
                out["its:dir"] = direction
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _json_fragment(term: Term) -> str:
    r"""A term as SPARQL JSON, written directly (several times faster than encoding a dict).

    Examples:
        >>> _json_fragment(ox.Literal('say "hi"\n', language="en"))
        '{"type":"literal","value":"say \\"hi\\"\\n","xml:lang":"en"}'
        >>> _json_fragment(ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL))
        '{"type":"literal","value":"x","xml:lang":"ar","its:dir":"rtl"}'
        >>> import json
        >>> t = ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))
        >>> json.loads(_json_fragment(t)) == _json_term(t)
        True
    """
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if isinstance(term, ox.Literal):
        out = '{"type":"literal","value":' + _quote(term.value)
        if term.language:
            out += ',"xml:lang":' + _quote(term.language)
            direction = _direction(term)
            return out + (',"its:dir":' + _quote(direction) if direction else "") + "}"
        datatype = term.datatype.value
        if datatype != XSD + "string":
            return out + ',"datatype":' + _quote(datatype) + "}"
        return out + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return _JSON.encode(_json_term(term))


_XML_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;"}
_XML_SPECIAL = re.compile("[<>&'\"\r]")
_XML_BOUND = {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;", " ": "&#32;"}


def _xml_escape(value: str) -> str:
    return _XML_SPECIAL.sub(lambda m: _XML_ESCAPES.get(m.group(), "&#13;"), value)


def _xml_text(value: str) -> str:
    r"""A literal's text for SPARQL XML, as the engine writes it: markup escaped, and the
    whitespace at either end as character references, which parsers that trim text keep. A
    carriage return is a reference anywhere (a raw one reads as a line feed in XML).

    Examples:
        >>> _xml_text(" a<b\r\nc\t")
        '&#32;a&lt;b&#13;\nc&#9;'
    """
    trimmed = value.strip(" \t\r\n")
    if trimmed == value:
        return _xml_escape(value)
    head = len(value) - len(value.lstrip(" \t\r\n"))
    tail = value[head + len(trimmed) :]
    return (
        "".join(_XML_BOUND[c] for c in value[:head])
        + _xml_escape(trimmed)
        + "".join(_XML_BOUND[c] for c in tail)
    )


_ITS = ' xmlns:its="http://www.w3.org/2005/11/its" its:version="2.0"'


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        text = _xml_text(term.value)
        if term.language:
            direction = _direction(term)
            lang = f'xml:lang="{_xml_escape(term.language)}"'
            if direction:
                lang += f' its:dir="{direction}"{_ITS}'
            return f"<literal {lang}>{text}</literal>"
        if term.datatype.value != XSD + "string":
            return f'<literal datatype="{_xml_escape(term.datatype.value)}">{text}</literal>'
        return f"<literal>{text}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_term(term: Term) -> str:
    """A term in SPARQL CSV, as the engine writes it: IRIs and literal values bare (quoted
    when they hold a quote, comma or line break), triple terms as their three terms.

    Examples:
        >>> t = ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("a,b"))
        >>> _csv_term(t)
        'http://e/s http://e/p "a,b"'
    """
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        value = term.value
        if any(c in value for c in '",\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value
    return f"{_csv_term(term.subject)} {_csv_term(term.predicate)} {_csv_term(term.object)}"


_TURTLE_SHORT = {
    XSD + "boolean": re.compile(r"true|false"),
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+"),
}
_TSV_ESCAPES = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\"})


def _tsv_term(term: Term) -> str:
    r"""A term in SPARQL TSV, as the engine writes it (Turtle-like; numbers and booleans bare
    when their text is Turtle's; triple terms in ``<<( … )>>``).

    Examples:
        >>> _tsv_term(ox.Literal("x", language="en", direction=ox.BaseDirection.LTR))
        '"x"@en--ltr'
        >>> _tsv_term(ox.Literal("a\tb"))
        '"a\\tb"'
    """
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        quoted = '"' + term.value.translate(_TSV_ESCAPES) + '"'
        if term.language:
            direction = _direction(term)
            return f"{quoted}@{term.language}" + (f"--{direction}" if direction else "")
        datatype = term.datatype.value
        short = _TURTLE_SHORT.get(datatype)
        if short is not None and short.fullmatch(term.value):
            return term.value
        if datatype == XSD + "string":
            return quoted
        return f"{quoted}^^<{datatype}>"
    return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"


def serialize_solutions(
    variables: Sequence[str], rows: Iterable[Sequence[Term | None]], fmt: str
) -> bytes:
    r"""SELECT results in ``json``, ``xml``, ``csv`` or ``tsv`` (W3C SPARQL 1.1 result formats).

    Examples:
        >>> rows = [(ox.NamedNode("http://e/a"), ox.Literal("Sour", language="en")), (None, None)]
        >>> serialize_solutions(["s", "name"], rows, "tsv").decode().splitlines()
        ['?s\t?name', '<http://e/a>\t"Sour"@en', '\t']
        >>> serialize_solutions(["s", "name"], rows, "csv").decode().splitlines()
        ['s,name', 'http://e/a,Sour', ',']
    """
    if fmt == "json":
        # One encoder for every row: json.dumps with options builds a new one per call, which
        # was a third of the time of a 200-row answer.
        encode = _JSON.encode
        head = encode({"vars": list(variables)})
        keys = [encode(v) + ":" for v in variables]
        body = ",\n".join(
            "{" + ",".join(k + _json_fragment(t) for k, t in zip(keys, row, strict=True) if t) + "}"
            for row in rows
        )
        return f'{{"head":{head},"results":{{"bindings":[\n{body}\n]}}}}\n'.encode()
    if fmt == "xml":
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        ]
        out += [f'<variable name="{v}"/>' for v in variables]
        out.append("</head><results>\n")
        for row in rows:
            out.append("<result>")
            out += [
                f'<binding name="{v}">{_xml_term(t)}</binding>'
                for v, t in zip(variables, row, strict=True)
                if t is not None
            ]
            out.append("</result>\n")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join("" if t is None else _csv_term(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """ASK results in ``json``, ``xml``, ``csv`` or ``tsv``.

    Examples:
        >>> serialize_boolean(True, "json")
        b'{"head":{},"boolean":true}\\n'
    """
    word = "true" if value else "false"
    if fmt == "json":
        return f'{{"head":{{}},"boolean":{word}}}\n'.encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{word}</boolean></sparql>\n"
        ).encode()
    if fmt in ("csv", "tsv"):
        return f"{word}\n".encode()
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_graph(
    triples: Iterable[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """CONSTRUCT and DESCRIBE results with Oxigraph's own serializers.

    Quad formats (N-Quads, TriG) write the triples in the default graph.
    """
    listed = list(triples)
    use_prefixes = prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if fmt.supports_datasets:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in listed]
        return ox.serialize(quads, format=fmt, prefixes=use_prefixes) or b""
    return ox.serialize(listed, format=fmt, prefixes=use_prefixes) or b""
