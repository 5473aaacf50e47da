"""The guard against real parsers: same has-SERVICE / has-LOAD / nesting answers on every query
and update of the W3C SPARQL 1.1 suites and on 10,000 generated ones.

Oracles: rdflib's ``parseQuery``/``parseUpdate`` (SERVICE and LOAD are nodes of its tree), and
where rdflib is wrong or lacks the syntax (``\\'`` inside "…" and ``\\"`` inside '…', base
directions ``@en--ltr``, SPARQL 1.2 triple terms), pyoxigraph: it must accept the query, and when
it evaluates a SERVICE it fails on the generator's endpoint (port 1, which it refuses to call)
with a message that says so. The generator knows each query's truth by construction: whether it
wrote a SERVICE or a LOAD, and how deep it nested brackets. Nesting in the W3C files is checked
against a scan with rdflib's own terminal expressions. The generated queries here are test data.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyparsing import ParseResults
from rdflib.plugins.sparql import parser as rp
from rdflib.plugins.sparql.parserutils import CompValue

from graph.store.safety import read

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the main checkout (../shared), and above a worktree's folder.
W3C = next(
    (p / "shared" / "w3c" / "sparql11" for p in ROOT.parents if (p / "shared" / "w3c").is_dir()),
    ROOT.parent / "shared" / "w3c" / "sparql11",
)
GENERATED = 10_000
# CPU seconds for the generated queries (about 60 are needed; CPU time, because wall time on a
# shared machine says more about the neighbours than about this test); the count is asserted.
TIME_BUDGET = 240.0
REFUSED_PORT = "The port 1 is not allowed"  # pyoxigraph's refusal, proof it read a SERVICE


# ---- oracles -----------------------------------------------------------------------------------


def _names(tree: object) -> set[str]:
    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return names


def rdflib_reading(text: str, update: bool) -> tuple[bool, bool]:
    """(has SERVICE, has LOAD) by rdflib's parse tree; raises if rdflib cannot parse."""
    names = _names(rp.parseUpdate(text) if update else rp.parseQuery(text))
    return "ServiceGraphPattern" in names, "Load" in names


def engine_parses(text: str, update: bool) -> tuple[bool, bool]:
    """(accepted, fetched) by pyoxigraph on an empty store: fetched when it evaluated a SERVICE
    (in a query) or a LOAD (in an update) of the generator's endpoint on port 1."""
    store = ox.Store()
    try:
        if update:
            store.update(text)
        else:
            result = store.query(text)
            if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
                list(result)
    except SyntaxError:
        return False, False
    except (OSError, RuntimeError) as exc:
        return True, REFUSED_PORT in str(exc)
    return True, False


_PN_LOCAL = re.compile(rp.PN_LOCAL.re.pattern, re.UNICODE | re.VERBOSE)
_RDFLIB_TERMINALS = [
    re.compile(r"#[^\r\n]*"),
    rp.STRING_LITERAL_LONG1.re,
    rp.STRING_LITERAL_LONG2.re,
    rp.STRING_LITERAL1.re,
    rp.STRING_LITERAL2.re,
    re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>'),  # rdflib's IRIREF
    re.compile("[?$]" + rp.VARNAME.re.pattern, re.UNICODE),
    rp.BLANK_NODE_LABEL.re,
    re.compile("@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),  # rdflib's LANGTAG
    rp.DOUBLE.re,
    rp.DECIMAL.re,
    rp.INTEGER.re,
]


def rdflib_nesting(text: str) -> int:
    """Bracket depth outside the terminals as rdflib's own expressions match them."""
    i, depth, deepest = 0, 0, 0
    while i < len(text):
        m = rp.PN_PREFIX.re.match(text, i)
        end = m.end() if m else i
        if text.startswith(":", end):
            local = _PN_LOCAL.match(text, end + 1)
            i = local.end() if local else end + 1
            continue
        for terminal in _RDFLIB_TERMINALS:
            m = terminal.match(text, i)
            if m and m.end() > i:
                i = m.end()
                break
        else:
            c = text[i]
            if c in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif c in "})]":
                depth -= 1
            i += 1
    return deepest


# ---- the W3C suites ----------------------------------------------------------------------------


def _w3c_files() -> list[Path]:
    if not W3C.is_dir():
        return []
    return sorted([*W3C.rglob("*.rq"), *W3C.rglob("*.ru")])


W3C_FILES = _w3c_files()


@pytest.mark.slow
@pytest.mark.skipif(not W3C_FILES, reason=f"the W3C SPARQL 1.1 tests are not in {W3C}")
def test_every_w3c_query_and_update_reads_as_rdflib_reads_it() -> None:
    compared = engine_only = neither = 0
    differences = []
    for path in W3C_FILES:
        text = path.read_text(encoding="utf-8")
        update = path.suffix == ".ru"
        guard = read(text, update=update)
        try:
            service, load = rdflib_reading(text, update)
        except Exception:
            # rdflib refuses it: a negative syntax test (the engine refuses it too), or a gap of
            # rdflib's. (Not evaluated when it names a SERVICE: that would look up its host.)
            if guard.services or not engine_parses(text, update)[0]:
                neither += 1
            else:
                engine_only += 1
            continue
        compared += 1
        depth = rdflib_nesting(text)
        if (bool(guard.services), bool(guard.loads), guard.depth) != (service, load, depth):
            differences.append((path.relative_to(W3C), guard, service, load, depth))
    assert differences == []
    assert compared >= 440, compared
    print(
        f"W3C: {compared} compared with rdflib, {engine_only} only the engine parses, "
        f"{neither} refused by both"
    )


# ---- generated queries ---------------------------------------------------------------------


@dataclass
class Generated:
    text: str
    update: bool
    service: bool
    load: bool
    depth: int
    rdflib_safe: bool  # uses only syntax rdflib reads right


KEYWORD_NOISE = [
    "SERVICE",
    "LOAD",
    "FROM",
    "NAMED",
    "service",
    "Load",
    "SILENT",
    "{",
    "}",
    "(",
    "<<(",
    "#",
    "'''",
    '"""',
    "\\",
    "<http://127.0.0.1:1/x>",
    "SELECT",
    "WHERE",
]


class Generator:
    """A seeded writer of valid SPARQL that hides keywords and brackets everywhere a lexer could
    misread them: strings of the four forms with escapes, comments, IRIs, prefixed names with
    ``\\#``, ``\\(`` and ``%xx``, variables and language tags named like keywords."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.rdflib_safe = True
        self.exotic = True
        self.serial = 0

    def choice(self, items: list[str]) -> str:
        return self.r.choice(items)

    def kw(self, word: str) -> str:
        return "".join(c.upper() if self.r.random() < 0.5 else c.lower() for c in word)

    def ws(self) -> str:
        r = self.r.random()
        if r < 0.12:
            return " #" + self.noise(newlines=False) + "\n"
        return self.choice([" ", "\n", "\t", "  ", " \r\n "])

    def noise(self, newlines: bool = True) -> str:
        parts = [self.choice(KEYWORD_NOISE) for _ in range(self.r.randint(1, 4))]
        return " ".join(parts) if newlines else " ".join(parts).replace("\n", " ")

    def string(self) -> str:
        body = self.noise()
        form = self.r.randrange(4)
        if form == 0:  # "..."
            body = body.replace("\\", "\\\\").replace('"', '\\"')
            if self.exotic and self.r.random() < 0.3:
                body += "\\'"  # legal, and rdflib refuses it
                self.rdflib_safe = False
            text = '"' + body + '"'
        elif form == 1:  # '...'
            body = body.replace("\\", "\\\\").replace("'", "\\'")
            text = "'" + body + "'"
        elif form == 2:  # """...""" with raw quotes and newlines
            body = body.replace("\\", "\\\\").replace('"""', '""\\"')
            body += self.choice(["\n", '"x', "''", "\\n"])
            text = '"""' + body + '"""'
        else:
            body = body.replace("\\", "\\\\").replace("'''", "''\\'")
            body += self.choice(["\n", "'x", '""', "\\t"])
            text = "'''" + body + "'''"
        r = self.r.random()
        if r < 0.3:
            text += "@" + self.choice(["service", "from", "load", "en-US", "SERVICE", "from-named"])
        elif r < 0.35 and self.exotic:
            text += "@en--ltr"
            self.rdflib_safe = False
        elif r < 0.45:
            text += "^^" + self.choice(["<http://www.w3.org/2001/XMLSchema#string>", "xsd:string"])
        return text

    def iri(self) -> str:
        return self.choice(
            [
                "<http://e/SERVICE#x>",
                "<http://e/a#{>",
                "<http://e/%7B>",
                "<urn:x:LOAD>",
                "<http://e/from>",
            ]
        ).replace("{", "")

    def pname(self) -> str:
        prefix = self.choice(["ex", "service", "from", "load", "a.b-c", ""])
        local = self.choice(
            [
                "a",
                "SERVICE",
                "a\\#",
                "b\\(c",
                "x%7B",
                "l\\.",
                "q\\#SERVICE",
                "n\\'",
                "7",
                "a.b",
                "from",
            ]
        )
        if not self.exotic:
            local = local.replace("\\#", "\\-")
        return f"{prefix}:{local}"

    def var(self) -> str:
        return self.choice(["?service", "$from", "?load", "?s", "?o", "?SERVICE", "?x1"])

    def term(self, depth: int, budget: list[int]) -> tuple[str, int]:
        r = self.r.random()
        if r < 0.2:
            return self.string(), 0
        if r < 0.35:
            return self.iri(), 0
        if r < 0.55:
            return self.pname(), 0
        if r < 0.7:
            item = self.choice(["1", "-2.5", ".5e3", "true", "_:b", "[]", "()", "[ ]", "-7"])
            if item == "_:b":
                self.serial += 1
                item += str(self.serial)  # one label per pattern: no label shared by groups
            if item == "-2.5" and not self.exotic:
                item = "-2"
            if item == "-2.5":
                self.rdflib_safe = False  # rdflib fails on a negative decimal ("Not a number")
            return item, 1 if item.startswith(("[", "(")) else 0
        if r < 0.8 and budget[0] > 0:
            budget[0] -= 1
            inner, d = self.term(depth + 1, budget)
            return f"[ ex:p{self.ws()}{inner} ]", d + 1
        if r < 0.85 and budget[0] > 0:
            budget[0] -= 1
            a, da = self.term(depth + 1, budget)
            b, db = self.term(depth + 1, budget)
            return f"({self.ws()}{a} {b} )", max(da, db) + 1
        return self.var(), 0

    def expression(self, budget: list[int]) -> tuple[str, int]:
        r = self.r.random()
        if r < 0.25 and budget[0] > 0:
            budget[0] -= 1
            inner, d = self.expression(budget)
            return f"({self.ws()}{inner})", d + 1
        if r < 0.4:
            # ``<`` after an operand is less-than; ``#>`` after it is a comment.
            return f"?o <{self.choice(['?s', '1', '?s#> ', ' ?s'])}\n", 0
        if r < 0.55 and budget[0] > 0:
            budget[0] -= 1
            inner, d = self.expression(budget)
            return f"{self.kw('STR')}({inner})", d + 1
        if r < 0.7:
            return self.string(), 0
        if r < 0.8:
            return self.pname(), 0
        other = " != ex:a\\#" if self.exotic else " != ex:a\\-"
        return self.var() + self.choice([" = 1", other, "&&true", " || ?s"]), 0

    def group(self, budget: list[int], service: list[bool]) -> tuple[str, int]:
        parts, deepest = [], 0
        for _ in range(self.r.randint(1, 4)):
            r = self.r.random()
            if r < 0.35:
                s, ds = self.term(0, budget)
                o, do = self.term(0, budget)
                p = self.choice([self.pname(), self.iri(), self.var(), "a"])
                extra = self.r.random() if self.exotic else 1.0
                if extra < 0.06:  # SPARQL 1.2: a triple term as the object
                    o, do = f"<<({self.ws()}?t{self.ws()}{self.pname()} {self.string()} )>>", 1
                    self.rdflib_safe = False
                elif extra < 0.12:  # a reified triple as the subject
                    s, ds = f"<< ?r {self.pname()}{self.ws()}{self.string()} >>", 1
                    self.rdflib_safe = False
                annotation = ""
                if self.exotic and self.r.random() < 0.05:  # an annotation on the triple
                    annotation = f" {{|{self.ws()}{self.pname()} {self.string()} |}}"
                    self.rdflib_safe = False
                parts.append(f"{s}{self.ws()}{p}{self.ws()}{o}{annotation} .")
                deepest = max(deepest, ds, do, 1 if annotation else 0)
            elif r < 0.5:
                e, d = self.expression(budget)
                parts.append(f"{self.kw('FILTER')}({e})")
                deepest = max(deepest, d + 1)
            elif r < 0.6:
                e, d = self.expression(budget)
                self.serial += 1
                parts.append(f"{self.kw('BIND')}({e} {self.kw('AS')} ?b{self.serial})")
                deepest = max(deepest, d + 1)
            elif budget[0] > 0 and r < 0.85:
                budget[0] -= 1
                inner, d = self.group(budget, service)
                word = self.choice(["OPTIONAL", "MINUS", "GRAPH", "SERVICE", "", "UNION"])
                if word == "SERVICE":
                    service[0] = True
                    target = self.choice(["<http://127.0.0.1:1/s>", "?svc", "svc:s"])
                    silent = self.choice(["", f" {self.kw('SILENT')}"])
                    parts.append(
                        f"{self.kw('SERVICE')}{silent}{self.ws()}{target}{self.ws()}{inner}"
                    )
                elif word == "GRAPH":
                    parts.append(f"{self.kw('GRAPH')} {self.choice([self.pname(), '?g'])} {inner}")
                elif word == "UNION":
                    other, d2 = self.group(budget, service)
                    parts.append(f"{inner} {self.kw('UNION')}{self.ws()}{other}")
                    d = max(d, d2)
                elif word:
                    parts.append(f"{self.kw(word)}{self.ws()}{inner}")
                else:
                    parts.append(inner)
                deepest = max(deepest, d)
            else:
                parts.append(f"{self.kw('VALUES')} ?v {{ {self.string()} {self.pname()} }}")
                deepest = max(deepest, 1)
        return "{" + self.ws() + self.ws().join(parts) + self.ws() + "}", deepest + 1

    PROLOGUE = (
        "PREFIX ex: <http://e/>\nPREFIX service: <http://e/s/>\nPREFIX from: <http://e/f/>\n"
        "PREFIX load: <http://e/l/>\nPREFIX a.b-c: <http://e/abc/>\nPREFIX : <http://e/empty/>\n"
        "PREFIX svc: <http://127.0.0.1:1/>\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    )

    def query(self) -> Generated:
        self.rdflib_safe = True
        # Half the queries without ``\#`` in prefixed names, which rdflib mishandles before a
        # SERVICE (below): there rdflib judges the SERVICE too.
        self.exotic = self.r.random() < 0.5
        budget, service = [self.r.randint(0, 6)], [False]
        body, depth = self.group(budget, service)
        head = self.choice(
            [
                f"{self.kw('SELECT')} *",
                f"{self.kw('ASK')}",
                f"{self.kw('SELECT')} ({self.string()} {self.kw('AS')} ?lit)",
            ]
        )
        if "(" in head:
            depth = max(depth, 1)
        dataset = ""
        if self.r.random() < 0.2:
            dataset = (
                f" {self.kw('FROM')} {self.iri()} {self.kw('FROM')} {self.kw('NAMED')} <http://e/g>"
            )
        where = self.choice([f" {self.kw('WHERE')}", ""])
        text = f"{self.PROLOGUE}{self.ws()}{head}{dataset}{where}{self.ws()}{body}{self.ws()}"
        if service[0] and "\\#" in text:
            # rdflib refuses a query with ``\#`` in a prefixed name before a SERVICE (the
            # escape of issue 12 trips rdflib too): ``?s ex:a\# ?o . SERVICE ?x {}``.
            self.rdflib_safe = False
        return Generated(text, False, service[0], False, depth, self.rdflib_safe)

    def update(self) -> Generated:
        self.rdflib_safe = True
        ops, load, depth = [], False, 0
        for _ in range(self.r.randint(1, 3)):
            r = self.r.random()
            if r < 0.3:
                load = True
                silent = self.choice(["", f" {self.kw('SILENT')}"])
                into = self.choice(["", f" {self.kw('INTO')} {self.kw('GRAPH')} {self.pname()}"])
                ops.append(f"{self.kw('LOAD')}{silent}{self.ws()}<http://127.0.0.1:1/d>{into}")
            elif r < 0.6:
                s, o = self.string(), self.pname()
                ops.append(
                    f"{self.kw('INSERT')} {self.kw('DATA')}{self.ws()}{{ {self.pname()} ex:p {s} , {o} }}"
                )
                depth = max(depth, 1)
            elif r < 0.8:
                ops.append(f"{self.kw('CLEAR')} {self.kw('GRAPH')} {self.pname()}")
            else:
                budget, service = [self.r.randint(0, 3)], [False]
                body, d = self.group(budget, service)
                if service[0]:  # keep SERVICE out of updates: the truth here is about LOAD
                    body, d = "{ ?s ?p ?o }", 1
                ops.append(f"{self.kw('DELETE')} {{ ?s ex:p ?o }} {self.kw('WHERE')} {body}")
                depth = max(depth, d)
        text = self.PROLOGUE + (self.ws() + ";" + self.ws()).join(ops)
        return Generated(text, True, False, load, depth, self.rdflib_safe)


def generated(count: int, seed: int = 12) -> Iterator[Generated]:
    gen = Generator(seed)
    for i in range(count):
        yield gen.update() if i % 5 == 4 else gen.query()


def _check_generated(count: int, budget: float) -> dict[str, int]:
    started = time.process_time()
    counts = {
        "rdflib": 0,
        "engine only": 0,
        "service": 0,
        "load": 0,
        "engine fetched": 0,
        "rdflib refused": 0,
    }
    failures = []
    done = 0
    for g in generated(count):
        guard = read(g.text, update=g.update)
        truth = (g.service, g.load, g.depth)
        mine = (bool(guard.services), bool(guard.loads), guard.depth)
        if mine != truth:
            failures.append(("guard vs construction", g.text, mine, truth))
        if g.rdflib_safe:
            try:
                oracle = rdflib_reading(g.text, g.update)
            except Exception:
                # rdflib's own bugs on a few valid queries (a RecursionError, or a refusal of
                # text the engine accepts): the construction and the engine still judge these.
                counts["rdflib refused"] += 1
            else:
                counts["rdflib"] += 1
                if oracle != (mine[0], mine[1]):
                    failures.append(("guard vs rdflib", g.text, mine, oracle))
        accepted, fetched = engine_parses(g.text, g.update)
        if not accepted:
            failures.append(("engine refused a valid query", g.text, mine, truth))
        if not g.rdflib_safe:
            counts["engine only"] += 1
        if fetched:
            counts["engine fetched"] += 1
            if not (guard.loads if g.update else guard.services):
                failures.append(("the engine fetched, the guard saw nothing", g.text, mine, truth))
        counts["service"] += g.service
        counts["load"] += g.load
        done += 1
        if len(failures) >= 5 or time.process_time() - started > budget:
            break
    assert failures == []
    assert counts["rdflib refused"] <= count // 100
    assert done == count, f"only {done} of {count} generated queries in {budget:g} CPU seconds"
    return counts


@pytest.mark.fuzz  # the generator's smallest run (1.5 s); the next test is its whole campaign
def test_a_hundred_generated_queries_read_as_the_parsers_read_them() -> None:
    counts = _check_generated(100, budget=60)
    assert counts["service"] > 3 and counts["load"] > 3 and counts["engine only"] > 3


@pytest.mark.fuzz
def test_ten_thousand_generated_queries_read_as_the_parsers_read_them() -> None:
    counts = _check_generated(GENERATED, budget=TIME_BUDGET)
    # About 860 with a SERVICE, 1,000 with a LOAD, 7,800 in syntax rdflib reads right.
    assert counts["service"] > 500 and counts["load"] > 300 and counts["rdflib"] > 7000
    print(f"generated: {counts}")
