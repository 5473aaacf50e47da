"""The terminals of SPARQL, as the guard reads them (:mod:`graph.store.safety`).

A lexer for SPARQL 1.1 and the 1.2 additions the engine accepts: IRIs, prefixed names with
``PN_LOCAL_ESC`` and ``%xx``, the four string forms with their escapes, language tags with a
base direction, comments, variables, numbers and punctuation. A keyword counts only as a token
of its own, never inside a string, an IRI, a comment, a prefixed name, a variable or a language
tag; ``<`` after an operand inside an expression is the less-than operator, as both parsers
read it, not the start of an IRI. It also counts, per level of brackets, the operators and
pattern keywords in a row (the guard's chain limit) and masks what a text quotes
(:func:`mask`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["Token", "mask", "tokens"]


# ---- terminals (SPARQL 1.1 §19.8, SPARQL 1.2 §19.8) ------------------------------------------

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_PNAME = re.compile(f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?")
_IRIREF = re.compile(f'<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*>')
_VAR = re.compile(f"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BNODE = re.compile(f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?")
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?")
_NUMBER = re.compile(
    r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
    r"|[0-9]*\.[0-9]+|[0-9]+"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_UCHAR_RE = re.compile(_UCHAR)
_PUNCT = ["<<(", ")>>", "<<", ">>", "{|", "|}", "^^", "&&", "||", "!=", "<=", ">="]
_PUNCT += list("{}()[],;.*+-/|^!=<>~?")
_ECHAR = frozenset("tbnrf\"'\\")
_HEX = frozenset("0123456789abcdefABCDEF")
_WS = frozenset(" \t\r\n")

# Openers and the closer each waits for.
_CLOSER = {"{": "}", "(": ")", "[": "]", "<<": ">>", "<<(": ")>>", "{|": "|}"}
# Words after which ``(`` opens a list of terms, not an expression.
_LIST_WORDS = frozenset({"a", "values", "true", "false", "undef"})
# Words that start a clause whose parentheses hold expressions (projection, modifiers).
_CLAUSE_WORDS = frozenset({"select", "by", "having"})
_CLAUSE_END = frozenset({"where", "limit", "offset", "values", "from"})


@dataclass(frozen=True, slots=True)
class Token:
    """One terminal: its kind, its text and where it stands in the request.

    ``kind`` is one of IRI, PNAME, BNODE, VAR, STRING, LANGTAG, NUMBER, WORD (keywords,
    function names, ``a``, ``true``), PUNCT, COMMENT, or ERROR (a character that starts no
    terminal; the engine refuses the request there).
    """

    kind: str
    text: str
    start: int
    end: int


def _string_end(text: str, i: int) -> int:
    """The end of the string literal starting at ``i``, or -1 if there is none."""
    q = text[i]
    n = len(text)
    long = text.startswith(q * 3, i)
    j = i + (3 if long else 1)
    while j < n:
        c = text[j]
        if long and text.startswith(q * 3, j):
            return j + 3
        if not long and c == q:
            return j + 1
        if c == "\\":
            nxt = text[j + 1 : j + 2]
            if nxt in _ECHAR and nxt:
                j += 2
                continue
            m = _UCHAR_RE.match(text, j)
            if m is None:
                return -1
            j = m.end()
            continue
        if not long and c in "\r\n":
            return -1
        j += 1
    return -1


@dataclass
class _Frame:
    closer: str
    expression: bool
    elements: int = 0  # operators, pattern keywords and groups directly inside


_CHAIN_OPS = frozenset(
    {"+", "-", "*", "/", "|", "||", "&&", "!", "^", "=", "!=", "<", ">", "<=", ">="}
)
_CHAIN_WORDS = frozenset(
    {
        "optional",
        "minus",
        "union",
        "filter",
        "bind",
        "service",
        "graph",
        "values",
        "lateral",
        "exists",
        "in",
    }
)


@dataclass
class _Lexer:
    text: str
    stack: list[_Frame] = field(default_factory=list)
    prev: list[Token] = field(default_factory=list)  # the last two significant tokens
    clause: bool = False  # in a SELECT projection, GROUP BY, ORDER BY or HAVING
    deepest: int = 0
    top: _Frame = field(default_factory=lambda: _Frame("", False))
    chain: int = 0  # the most elements found at one level

    def _count(self) -> None:
        frame = self.stack[-1] if self.stack else self.top
        frame.elements += 1
        self.chain = max(self.chain, frame.elements)

    def _in_expression(self) -> bool:
        return bool(self.stack) and self.stack[-1].expression

    def _after_operand(self) -> bool:
        if not self.prev:
            return False
        t = self.prev[-1]
        if t.kind in ("VAR", "NUMBER", "STRING", "LANGTAG", "IRI", "PNAME", "BNODE"):
            return True
        if t.kind == "WORD":
            return t.text.lower() in ("true", "false")
        return t.text in (")", ")>>")

    def _paren_is_expression(self) -> bool:
        if self._in_expression():
            return True
        if self.stack and self.stack[-1].closer != "}":
            return False  # in a collection, path, blank node or triple term
        if self.clause:
            return True
        if not self.prev:
            return False
        t = self.prev[-1]
        if t.kind == "WORD":
            return t.text.lower() not in _LIST_WORDS
        if t.kind in ("IRI", "PNAME") and len(self.prev) > 1:
            before = self.prev[-2]
            # A function call after FILTER, or in an expression list.
            return before.kind == "WORD" and before.text.lower() not in _LIST_WORDS
        return False

    def _open(self, token: str) -> None:
        expression = token == "(" and self._paren_is_expression()
        if token == "{":
            self._count()
        self.stack.append(_Frame(_CLOSER[token], expression))
        self.deepest = max(self.deepest, len(self.stack))
        if token == "{":
            self.clause = False

    def _close(self, token: str) -> None:
        # Only the closer an opener waits for closes it: a stray one never lowers the depth.
        if token == ")>>" and self.stack and self.stack[-1].closer == ")":
            self.stack.pop()
            token = ">>"
        if self.stack and self.stack[-1].closer == token:
            self.stack.pop()

    def _note(self, tok: Token) -> None:
        if tok.kind == "PUNCT" and tok.text in _CHAIN_OPS:
            self._count()
        if tok.kind == "WORD":
            word = tok.text.lower()
            if word in _CHAIN_WORDS:
                self._count()
            if word in _CLAUSE_WORDS:
                self.clause = True
            elif word in _CLAUSE_END:
                self.clause = False
        self.prev = [*self.prev[-1:], tok]

    def run(self, start: int = 0) -> Iterator[Token]:
        text, n, i = self.text, len(self.text), start
        while i < n:
            c = text[i]
            if c in _WS:
                i += 1
                continue
            if c == "#":
                j = i
                while j < n and text[j] not in "\r\n":
                    j += 1
                yield Token("COMMENT", text[i:j], i, j)
                i = j
                continue
            tok = self._one(i)
            if tok.kind == "PUNCT":
                if tok.text in _CLOSER:
                    self._open(tok.text)
                elif tok.text in _CLOSER.values():
                    self._close(tok.text)
            self._note(tok)
            yield tok
            i = tok.end

    def _one(self, i: int) -> Token:
        text = self.text
        c = text[i]
        if c == "<" and not (self._in_expression() and self._after_operand()):
            if not text.startswith("<<", i):
                m = _IRIREF.match(text, i)
                if m:
                    return Token("IRI", m.group(), i, m.end())
        elif c in "\"'":
            end = _string_end(text, i)
            if end < 0:
                return Token("ERROR", c, i, i + 1)
            return Token("STRING", text[i:end], i, end)
        elif c in "?$":
            m = _VAR.match(text, i)
            if m:
                return Token("VAR", m.group(), i, m.end())
        elif c == "@":
            m = _LANGTAG.match(text, i)
            return Token("LANGTAG", m.group(), i, m.end()) if m else Token("ERROR", c, i, i + 1)
        elif c == "_" and text.startswith("_:", i):
            m = _BNODE.match(text, i)
            if m:
                return Token("BNODE", m.group(), i, m.end())
        elif c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit()):
            m = _NUMBER.match(text, i)
            if m:
                return Token("NUMBER", m.group(), i, m.end())
        m = _PNAME.match(text, i)
        if m:
            return Token("PNAME", m.group(), i, m.end())
        m = _WORD.match(text, i)
        if m:
            return Token("WORD", m.group(), i, m.end())
        for p in _PUNCT:
            if text.startswith(p, i):
                if p in ("<<(", "<<") and self._in_expression() and self._after_operand():
                    continue  # ``?a << ?b`` is no triple term; read ``<`` by itself
                return Token("PUNCT", p, i, i + len(p))
        return Token("ERROR", c, i, i + 1)


def tokens(text: str) -> list[Token]:
    """The terminals of a SPARQL request, comments included, whitespace left out.

    Examples:
        >>> [t.kind for t in tokens('PREFIX ex: <http://e/> ASK { ex:a\\\\# ?p "#" } # c')]
        ['WORD', 'PNAME', 'IRI', 'WORD', 'PUNCT', 'PNAME', 'VAR', 'STRING', 'PUNCT', 'COMMENT']
        >>> [t.text for t in tokens('ASK { FILTER(?a <?b#> 1) }')][4:8]
        ['?a', '<', '?b', '#> 1) }']
    """
    return list(_Lexer(text).run())


def mask(text: str, keep_iris: bool = False) -> str:
    """The request with everything but keywords and punctuation blanked out (same length), so
    that a keyword search finds keywords only; IRIs are kept when ``keep_iris``.

    Examples:
        >>> mask('SELECT ?where { ?s <http://e/WHERE> "WHERE" } # WHERE')
        'SELECT        {                             }        '
        >>> mask("SELECT * { ?s <http://e/p> ?o }", keep_iris=True)
        'SELECT * {    <http://e/p>    }'
    """
    out = [" "] * len(text)
    for t in tokens(text):
        if t.kind in ("WORD", "PUNCT", "ERROR") or (keep_iris and t.kind == "IRI"):
            out[t.start : t.end] = t.text
    for i, c in enumerate(text):
        if c in "\r\n":
            out[i] = c  # keep line breaks, so that positions and lines still match
    return "".join(out)
