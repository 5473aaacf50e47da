"""Stored XSS: HTML and script in a fact sheet and in a loaded RDF file are shown as text on every
page, in every JSON answer and in chromium; errors with payloads in the URL are problem
documents; the hardening headers (``api/security.py``) keep the pages working."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import yaml
from chromium import run_script
from conftest import ROOT, SEEDS
from rdflib import Dataset, Literal, URIRef
from server import bilateral, serve

from api.routes import explorer
from api.security import content_security_policy
from graph.read.ids import local_href

pytestmark = [pytest.mark.server, pytest.mark.subprocess]

BASE = "https://bilateral-kg.example/"
ID = BASE + "id/"

# Each payload sets window.__xss (or would open a dialog) if it ever runs.
SCRIPT_TAG = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload=window.__xss=1>'
TEMPLATE = "{{7*7}}"
CLOSE = "</script><script>window.__xss=1</script>"
JS_URL = "javascript:window.__xss=1"
#: An IRI may hold ' and = (Turtle and the sheets allow them): it must not leave its attribute.
QUOTE_IRI = "https://example.org/a'onmouseover='window.__xss=1'x='"
#: Markup that appears in the raw HTML only if a payload was not escaped.
RAW_MARKERS = ("<script>window", "<img src=x", "<svg onload")

# -- the payloads in a fact sheet ----------------------------------------------------------------

SENTENCES = (
    f"Payload Person {SCRIPT_TAG} met Heng Sour and Ms Img {IMG} in Phnom Penh on March 9.",
    f"Payload Person said: “{SVG} {TEMPLATE} {CLOSE}”.",
    f"Payload Person asked Ms Img {IMG} to expand {TEMPLATE} cooperation {CLOSE} at once.",
)
PERSON = f"Payload Person {SCRIPT_TAG}"
ORG = f"Ms Img {IMG}"
ENTITIES = [
    {
        "id": "xss-person",
        "type": "person",
        "name": PERSON,
        "aliases": [SVG, f"{TEMPLATE} Person", f"Payload {IMG}"],
        "description": f"{IMG} described {TEMPLATE}",
    },
    {
        "id": "xss-org",
        "type": "organization",
        "name": ORG,
        "abbreviation": CLOSE,
        "aliases": [f"Payload Org {SVG}"],
        "description": f"{CLOSE} org",
    },
]
SHEET = {
    "source": {
        "id": "xss-payload-source",
        "type": "news-article",
        "label": f"Payload source {SCRIPT_TAG} {TEMPLATE}",
        "title": f"{SVG} headline {CLOSE}",
        "publisher": "xss-org",
        "url": QUOTE_IRI,
        "text": "../articles/xss-payload.txt",
        "note": f"{IMG} note {TEMPLATE}",
    },
    "mentions": [
        {"text": PERSON, "entity": "xss-person"},
        {
            "text": ORG,
            "entity": "xss-org",
            "occurrence": "all",
            "inferred": f"{SVG} the mention's reason {TEMPLATE} {CLOSE}",
        },
        {"text": "Heng Sour", "entity": "heng-sour"},
    ],
    "facts": [
        {
            "id": "xss-meeting",
            "kind": "meeting",
            "attendees": ["xss-person", "heng-sour"],
            "date": "XXXX-03-09",
            "summary": f"{SCRIPT_TAG} meeting summary {TEMPLATE}",
            "evidence": SENTENCES[0],
        },
        {
            "id": "xss-statement",
            "kind": "statement",
            "speaker": "xss-person",
            "form": "quotation",
            "text": f"{SVG} {TEMPLATE} {CLOSE}",
            "occasion": "xss-meeting",
            "evidence": SENTENCES[1],
        },
        {
            "id": "xss-request",
            "kind": "request",
            "actors": ["xss-person"],
            "addressees": ["xss-org"],
            "status": "requested",
            "summary": f"expand {TEMPLATE} cooperation {CLOSE}",
            "occasion": "xss-meeting",
            "evidence": SENTENCES[2],
        },
        {
            "id": "xss-member",
            "kind": "relation",
            "subject": "xss-person",
            "relation": "member-of",
            "object": "xss-org",
            "inferred": f"{IMG} the reason {TEMPLATE} {CLOSE}",
            "evidence": {"quote": ORG, "occurrence": 1},
        },
    ],
}

# -- the payloads in a loaded file ---------------------------------------------------------------

LOADED_TEXT = f"Loaded text {IMG} and {CLOSE} {TEMPLATE}."
LOADED_IRI_TEXT = f"Loaded IRI text {SCRIPT_TAG}."
#: IRIs that Turtle allows but that are odd in HTML: %-encoded quotes and angle brackets, and
#: the sub-delimiters ' ( ) ! * $ ; = + , &.
ODD_ENCODED = ID + "organization/odd%22%3Cscript%3E"
ODD_DELIMS = ID + "organization/odd'quote(x)!*$;=+,&b"


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Turtle string


LOADED_TTL = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix bkg: <https://bilateral-kg.example/ontology#> .
@prefix ep: <https://bilateral-kg.example/ontology/epistemic/> .

<{ID}person/loaded-xss> a schema:Person ;
    rdfs:label {_lit("Loaded Person " + SCRIPT_TAG)}@en ;
    schema:name {_lit("Loaded name " + IMG)} ;
    skos:altLabel {_lit("Loaded alias " + SVG + " " + TEMPLATE)} ;
    schema:description {_lit(CLOSE)} ;
    schema:sameAs <{JS_URL}>, <{QUOTE_IRI}>,
        <https://example.org/a%22%3E%3Cscript%3Ewindow.__xss=1%3C/script%3E> ;
    schema:url {_lit(JS_URL)} ;
    bkg:epistemicStatus ep:reference ;
    org:memberOf <{ID}organization/xss-org>, <{ODD_ENCODED}>, <{ODD_DELIMS}> .

<{JS_URL}> rdfs:label {_lit("A javascript IRI " + IMG)} ;
    org:memberOf <{ID}organization/xss-org> .

<{ODD_ENCODED}> a schema:Organization ;
    rdfs:label {_lit("Odd IRI " + IMG)} ;
    bkg:epistemicStatus ep:reference .

<{ODD_DELIMS}> a schema:Organization ;
    rdfs:label {_lit("Odd IRI quote " + SVG)} ;
    bkg:epistemicStatus ep:reference .

<{ID}source/loaded-xss> a schema:NewsArticle, prov:Entity ;
    rdfs:label {_lit("Loaded source " + SCRIPT_TAG)} ;
    schema:headline {_lit("Loaded headline " + SVG)} ;
    schema:url {_lit(JS_URL)} ;
    schema:publisher <{ID}organization/xss-org> ;
    schema:text {_lit(LOADED_TEXT)} .

<{ID}source/loaded-xss-iri> a schema:NewsArticle ;
    rdfs:label {_lit("Loaded source with a javascript IRI " + SVG)} ;
    schema:url <{JS_URL}> ;
    schema:text {_lit(LOADED_IRI_TEXT)} .

<{ID}span/loaded-xss/12-48> a oa:SpecificResource ;
    oa:hasSource <{ID}source/loaded-xss> ;
    oa:hasSelector <{ID}span/loaded-xss/12-48/position>, <{ID}span/loaded-xss/12-48/quote> .
<{ID}span/loaded-xss/12-48/position> a oa:TextPositionSelector ; oa:start 12 ; oa:end 48 .
<{ID}span/loaded-xss/12-48/quote> a oa:TextQuoteSelector ; oa:exact {_lit(IMG)} .

<{ID}span/loaded-xss-iri/16-47> a oa:SpecificResource ;
    oa:hasSource <{ID}source/loaded-xss-iri> ;
    oa:hasSelector <{ID}span/loaded-xss-iri/16-47/position>,
        <{ID}span/loaded-xss-iri/16-47/quote> .
<{ID}span/loaded-xss-iri/16-47/position> a oa:TextPositionSelector ; oa:start 16 ; oa:end 47 .
<{ID}span/loaded-xss-iri/16-47/quote> a oa:TextQuoteSelector ; oa:exact {_lit(SCRIPT_TAG)} .

<{ID}statement/loaded-xss> a bkg:Statement ;
    rdfs:label {_lit("Loaded statement " + SCRIPT_TAG)} ;
    bkg:speaker <{ID}person/loaded-xss> ;
    bkg:text {_lit(IMG)} ;
    bkg:reason {_lit("Loaded reason " + CLOSE)} ;
    bkg:epistemicStatus ep:stated ;
    prov:wasDerivedFrom <{ID}span/loaded-xss/12-48>, <{ID}span/loaded-xss-iri/16-47> .
"""
#: The named graph the file is loaded into: a payload in its IRI, %-encoded.
LOADED_GRAPH = "https://example.org/graph/%3Cscript%3Ewindow.__xss=1%3C/script%3E"
#: Files whose IRIs hold a quote or angle brackets (escaped in each syntax's own way): the
#: parsers refuse them, or drop the node (JSON-LD drops an invalid @id), so none reaches a page.
BAD_FILES = {
    "quote.ttl": f'<{ID}person/a\\u0022b> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n',
    "angle.nt": f"<{ID}person/a\\u003Cscript\\u003E> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "x" .\n',
    "quote.rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'<rdf:Description rdf:about="{ID}person/a&quot;&gt;&lt;script&gt;x&lt;/script&gt;">'
        "<rdfs:label>x</rdfs:label></rdf:Description>\n</rdf:RDF>\n"
    ),
    "quote.jsonld": json.dumps(
        {"@id": f'{ID}person/a"><script>x</script>', "http://schema.org/name": "x"}
    ),
}


def write_payload_seeds(dst: Path) -> None:
    """The seeds, plus a source, two entities and a sheet whose every text field is hostile."""
    shutil.copytree(SEEDS, dst)
    (dst / "articles/xss-payload.txt").write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    (dst / "entities/xss.yaml").write_text(
        yaml.safe_dump({"entities": ENTITIES}, allow_unicode=True), encoding="utf-8"
    )
    (dst / "facts/xss-payload.yaml").write_text(
        yaml.safe_dump(SHEET, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bilateral()), *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the hostile seeds, load the hostile file twice and try the illegal ones."""
    root = tmp_path_factory.mktemp("xss")
    seeds, store = root / "seeds", root / "store"
    write_payload_seeds(seeds)
    built = _run("build", "--seeds", str(seeds), "--store", str(store))
    assert built.returncode == 0, built.stderr
    (root / "loaded.ttl").write_text(LOADED_TTL, encoding="utf-8")
    done = _run("load", "--store", str(store), "--graph", LOADED_GRAPH, str(root / "loaded.ttl"))
    assert done.returncode == 0, done.stderr
    # Refused while parsing, before the store is touched: run side by side.
    running = {}
    for name, text in BAD_FILES.items():
        (root / name).write_text(text, encoding="utf-8")
        command = ["load", "--store", str(store), "--graph", "https://example.org/graph/bad"]
        running[name] = subprocess.Popen(
            [str(bilateral()), *command, str(root / name)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    bad = {}
    for name, proc in running.items():
        out, err = proc.communicate(timeout=120)
        bad[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return {"store": store, "bad": bad}


@pytest.fixture(scope="module")
def base(loads: dict[str, Any]) -> Iterator[str]:
    with serve(loads["store"], query_workers=1) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


def select(client: httpx.Client, query: str) -> list[dict[str, str]]:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in row.items()} for row in r.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def pages(client: httpx.Client) -> list[str]:
    """The path of every resource the payloads touch: those with a payload literal, those of
    the hostile source and the loaded file, the entities that link to them, and their graphs."""
    rows = select(
        client,
        """
        SELECT DISTINCT ?s WHERE {
            { ?s ?p ?o FILTER (isLiteral(?o) && (CONTAINS(STR(?o), "__xss")
                                              || CONTAINS(STR(?o), "{{7*7}}"))) }
            UNION { ?s ?p ?o FILTER (CONTAINS(STR(?s), "xss") || CONTAINS(STR(?s), "/odd")) }
            UNION { VALUES ?s { <https://bilateral-kg.example/id/person/heng-sour>
                                <https://bilateral-kg.example/graph/reference>
                                <https://bilateral-kg.example/graph/derived> } }
        } ORDER BY ?s""",
    )
    paths = [local_href(r["s"], BASE) for r in rows]
    return [p for p in paths if p and p.startswith(("/id/", "/graph/"))]


# -- reading HTML --------------------------------------------------------------------------------

#: Scripts the templates load or hold; anything else on a page came from the data.
SCRIPT_SOURCES = {
    *(f"/static/explorer/{name}" for name in explorer.LIBRARIES),
    "/static/explorer/explorer.js",
    "/static/yasgui/yasgui.min.js",
}
JSON_BLOCKS = {"explorer-config", "editor-config"}
EDITOR_SCRIPT = re.findall(
    r"<script>(.*?)</script>", (ROOT / "api/templates/sparql.html").read_text(), re.DOTALL
)
#: Elements a payload would create; svg only in the explorer's legend.
FOREIGN = {"img", "iframe", "object", "embed", "frame", "frameset", "base", "svg", "math", "video"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}


class Page(HTMLParser):
    """A page as a browser's tokenizer sees it: its elements, scripts and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._body = dict(attrs), []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._body)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._body.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def unsafe_markup(path: str, html: str) -> list[str]:
    """What on a page could run: scripts, handlers, script URLs and elements the templates do
    not write."""
    page = parse(html)
    problems = [f"raw {m!r} in the HTML" for m in RAW_MARKERS if m in html]
    for attrs, body in page.scripts:
        if attrs.get("src") in SCRIPT_SOURCES and not body.strip():
            continue
        if attrs.get("type") == "application/json" and attrs.get("id") in JSON_BLOCKS:
            try:
                json.loads(body)
            except ValueError as exc:
                problems.append(f"script#{attrs.get('id')} is not JSON: {exc}")
            continue
        if path == "/sparql" and not attrs and body in EDITOR_SCRIPT:
            continue
        problems.append(f"a script the templates do not write: {attrs} {body[:80]!r}")
    for tag, attrs in page.elements:
        if tag in FOREIGN and not (path.startswith("/explore") and tag == "svg"):
            problems.append(f"<{tag} {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on") and not (tag == "form" and value == "return false"):
                problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = re.match(r"[\x00-\x20]*([a-zA-Z][\w+.-]*):", value)
                if scheme and scheme[1].lower() not in ("http", "https") and value != "data:,":
                    problems.append(f"<{tag} {name}={value!r}>")
    return problems


def visible(html: str) -> str:
    return "".join(parse(html).text)


# -- the tests -----------------------------------------------------------------------------------


def test_iris_with_quotes_or_angle_brackets_never_reach_the_store(
    loads: dict[str, Any], client: httpx.Client
) -> None:
    for name in ("quote.ttl", "angle.nt", "quote.rdf"):
        done = loads["bad"][name]
        assert done.returncode != 0 and "Invalid IRI code point" in done.stderr, (name, done)
        assert name in done.stderr
    # JSON-LD drops a node whose @id is not an IRI (as the JSON-LD spec says): nothing loaded,
    # and load says so.
    jsonld = loads["bad"]["quote.jsonld"]
    assert jsonld.returncode == 1 and "no triples found" in jsonld.stderr, jsonld
    rows = select(
        client,
        """SELECT ?s WHERE { { ?s ?p ?o } UNION { ?x ?s ?o } UNION { ?x ?p ?s FILTER isIRI(?s) }
                             FILTER REGEX(STR(?s), "[\\"<>{}| ]") } LIMIT 5""",
    )
    assert rows == []


def test_every_page_of_a_payload_shows_it_as_text(client: httpx.Client, pages: list[str]) -> None:
    assert len(pages) >= 45, pages
    for path in [*pages, "/", "/sparql", "/explore"]:
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, (path, r.status_code)
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert unsafe_markup(path, r.text) == [], path


#: Pages and the payload texts a reader must see on them, verbatim.
SHOWN = {
    "/": [f"Payload source {SCRIPT_TAG} {TEMPLATE}", "Loaded source " + SCRIPT_TAG, ORG],
    "/id/person/xss-person": [
        PERSON,
        SVG,
        f"{TEMPLATE} Person",
        f"{IMG} described {TEMPLATE}",
        f"{IMG} the reason {TEMPLATE} {CLOSE}",
        SENTENCES[0],
        ORG,
    ],
    "/id/organization/xss-org": [
        ORG,
        CLOSE,
        f"Payload Org {SVG}",
        f"{SVG} the mention's reason {TEMPLATE} {CLOSE}",
    ],
    "/id/act/xss-request": [f"expand {TEMPLATE} cooperation {CLOSE}", SENTENCES[2], PERSON],
    "/id/statement/xss-statement": [f"{SVG} {TEMPLATE} {CLOSE}", SENTENCES[1]],
    "/id/meeting/xss-meeting": [f"{SCRIPT_TAG} meeting summary {TEMPLATE}", SENTENCES[0]],
    "/id/source/xss-payload-source": [
        *SENTENCES,
        f"{SVG} headline {CLOSE}",
        f"{IMG} note {TEMPLATE}",
        f"Payload source {SCRIPT_TAG}",
    ],
    "/id/person/loaded-xss": [
        "Loaded Person " + SCRIPT_TAG,
        "Loaded name " + IMG,
        "Loaded alias " + SVG,
        CLOSE,
        JS_URL,
        "Odd IRI " + IMG,
    ],
    "/id/source/loaded-xss": [LOADED_TEXT, "Loaded headline " + SVG, JS_URL],
    "/id/source/loaded-xss-iri": [LOADED_IRI_TEXT, "A javascript IRI " + IMG],
    "/id/statement/loaded-xss": [IMG, "Loaded reason " + CLOSE, LOADED_TEXT],
    "/id/organization/odd%2522%253Cscript%253E": ["Odd IRI " + IMG, ODD_ENCODED],
    "/id/organization/odd'quote(x)!*$;=+,&b": ["Odd IRI quote " + SVG, ODD_DELIMS],
    "/graph/stated/xss-payload-source": [f"Payload source {SCRIPT_TAG}"],
}


@pytest.mark.parametrize("path", list(SHOWN))
def test_payloads_are_visible_text(client: httpx.Client, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    text = " ".join(visible(r.text).split())
    for shown in SHOWN[path]:
        assert " ".join(shown.split()) in text, (path, shown)


def test_links_from_the_data_are_http_or_ours(client: httpx.Client) -> None:
    """schema:url and schema:sameAs values that are not http(s) are shown, never linked; an
    IRI with quotes stays inside its attribute (regression: the landing page linked a loaded
    source's ``javascript:`` URL)."""
    for path in ("/", "/id/person/loaded-xss", "/id/source/loaded-xss-iri"):
        page = parse(client.get(path).text)
        hrefs = [a["href"] or "" for tag, a in page.elements if tag == "a" and "href" in a]
        assert not [h for h in hrefs if not h.startswith(("/", "#", "http://", "https://"))]
    landing = parse(client.get("/").text)
    assert ("a", {"href": QUOTE_IRI}) in landing.elements


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_json_twins_and_api_keep_payloads_exact(client: httpx.Client) -> None:
    for path in SHOWN:
        if path == "/":
            continue
        r = client.get(path + ".json")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", path
        r.json()
    person = client.get("/id/person/xss-person.json").json()
    assert person["label"] == PERSON
    assert set(person["aliases"]) == {SVG, f"{TEMPLATE} Person", f"Payload {IMG}"}
    for path, expected in [
        ("/index.json", f"Payload source {SCRIPT_TAG} {TEMPLATE}"),
        ("/api/entities/person/xss-person", PERSON),
        ("/api/entities/organization/xss-org", ORG),
        ("/api/search?q=Payload", PERSON),
        ("/api/search?q=" + quote(SVG), PERSON),
        ("/api/sources/xss-payload-source", SENTENCES[1]),
        ("/api/sources/loaded-xss", JS_URL),
        ("/api/graph/ego/person/xss-person", PERSON),
        ("/api/entities/person/xss-person/neighbours", ORG),
        ("/api/paths?from=person/heng-sour&to=person/xss-person", PERSON),
        ("/api/acts?status=requested", f"expand {TEMPLATE} cooperation {CLOSE}"),
        ("/api/meetings?participant=person/xss-person", PERSON),
    ]:
        r = client.get(path, headers={"Accept": "text/html,application/json"})
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"] == "application/json", path
        assert any(expected in s for s in strings(r.json())), path


@pytest.mark.parametrize(
    ("suffix", "fmt", "media"),
    [
        (".ttl", "turtle", "text/turtle"),
        (".nt", "nt", "application/n-triples"),
        (".jsonld", "json-ld", "application/ld+json"),
    ],
)
def test_rdf_twins_round_trip_payloads(
    client: httpx.Client, suffix: str, fmt: str, media: str
) -> None:
    for iri, label in [
        (ID + "person/xss-person", PERSON),
        (ID + "person/loaded-xss", "Loaded Person " + SCRIPT_TAG),
        (ODD_DELIMS, "Odd IRI quote " + SVG),
    ]:
        r = client.get(local_href(iri, BASE) + suffix)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        ds = Dataset()
        ds.parse(data=r.text, format=fmt)
        labels = set(ds.objects(URIRef(iri), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        assert Literal(label, lang="en") in labels or Literal(label) in labels


P = quote(SCRIPT_TAG, safe="")
S = quote(SVG, safe="")
#: A payload that names nothing (the payloads above are names and aliases of the entities).
N = quote(IMG + "-nowhere", safe="")


@pytest.mark.parametrize(
    "url",
    [
        f"/id/person/{P}",
        f"/id/{S}",
        f"/graph/{P}",
        f"/nothing/{P}",
        f"/id/person/xss-person.{P}",
        f"/api/entities/{N}",
        f"/api/entities/{N}/neighbours",
        f"/api/sources/{P}",
        f"/api/search?q=Payload&type={P}",
        f"/api/search?q=Payload&limit={S}",
        f"/api/paths?from={N}&to=KOSHA",
        f"/api/paths?from=NSSF&to=KOSHA&relations={S}",
        f"/api/acts?status={P}",
        f"/api/acts?countries={S}",
        f"/api/meetings?from={P}",
        f"/api/graph/ego/person/xss-person?radius={S}",
        f"/api/graph/ego/{N}",
        f"/sparql?query={P}",
        f"/sparql?query=SELECT%20*%20WHERE%20%7B%7D&default-graph-uri={S}",
        f"/static/explorer/{P}",
        f"/static/yasgui/{P}",
        f"/store?graph={P}",
    ],
)
def test_errors_with_payloads_are_problem_documents(client: httpx.Client, url: str) -> None:
    """A client gets a problem document; a browser gets the problem as a page (issue 17), with
    the payload shown as text, never as markup."""
    r = client.get(url, headers={"Accept": "application/json"})
    assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"] == "application/problem+json", (url, r.headers)
    assert r.json()["status"] == r.status_code
    page = client.get(url, headers={"Accept": "text/html"})
    assert page.status_code == r.status_code, (url, page.status_code)
    assert page.headers["content-type"].startswith("text/html"), (url, page.headers)
    for markup in ("<script>window.__xss", "<svg onload", "<img src=x onerror"):
        assert markup not in page.text, (url, markup)


def _hardening(headers: httpx.Headers) -> list[str]:
    missing = []
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    if "content-security-policy" not in headers:
        missing.append("Content-Security-Policy")
    return missing


def test_served_pages_send_hardening_headers(client: httpx.Client) -> None:
    for path in ("/", "/id/person/xss-person", "/explore", "/sparql"):
        assert _hardening(client.get(path, headers={"Accept": "text/html"}).headers) == [], path
    assert client.get("/index.json").headers.get("x-content-type-options") == "nosniff"


# -- in chromium ---------------------------------------------------------------------------------


def run_browser(base_url: str, plan: dict[str, Any], tmp: Path) -> dict[str, Any]:
    (tmp / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    packages = ("playwright-core", "cytoscape", "@zazuko/yasgui")
    return run_script("xss.mjs", base_url, tmp, str(tmp / "plan.json"), packages=packages)


BROWSER_PAGES = [
    "/",
    "/id/person/xss-person",
    "/id/organization/xss-org",
    "/id/act/xss-request",
    "/id/statement/xss-statement",
    "/id/source/xss-payload-source",
    "/id/person/loaded-xss",
    "/id/source/loaded-xss",
    "/id/statement/loaded-xss",
    "/id/organization/odd'quote(x)!*$;=+,&b",
]
PLAN = {
    "pages": BROWSER_PAGES,
    "explore": {
        "focus": "person/xss-person",
        "details": ["organization/xss-org", "act/xss-request", "person/xss-person"],
        "search": "Payload",
        "pick": "Payload Person",
        "pathFrom": "organization/nssf",
        "pathToName": PERSON,
        "loaded": ["statement/loaded-xss", "person/loaded-xss"],
        "sourceUrl": JS_URL,
        "hostileQuery": f"focus={P}&expand={S}&from={S}&to={P}&groups={quote(IMG, safe='')}",
    },
    "editor": {
        "query": "SELECT ?s ?label ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label>"
        ' ?label FILTER(CONTAINS(?label, "__xss")) OPTIONAL { ?s <https://schema.org/sameAs>'
        "|<https://schema.org/url> ?o } }",
        "expect": "Payload Person",
    },
}


@pytest.fixture(scope="module")
def report(base: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of tests/browser/xss.mjs against ``bilateral serve`` (no CSP: escaping alone
    must hold)."""
    return run_browser(base, PLAN, tmp_path_factory.mktemp("xss-browser"))


def _states(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    states = {f"page {p}": s for p, s in report["pages"].items()}
    states |= {f"details {k}": v for k, v in report["details"].items()}
    states |= {f"loaded {k}": v for k, v in report["loaded"].items()}
    for key in (
        "focused",
        "afterInContext",
        "afterEdges",
        "suggesting",
        "afterPick",
        "afterPath",
        "hostileQuery",
        "editor",
    ):
        states[key] = report[key]
    return states


@pytest.mark.browser
def test_browser_runs_no_payload(report: dict[str, Any]) -> None:
    assert report["dialogs"] == []
    for name, state in _states(report).items():
        assert state["xss"] is None, name
        assert state["scriptLinks"] in ([], ["link href=data:,"]), name
        assert set(state["onAttributes"]) <= {"form onsubmit=return false"}, name
        if name != "editor":  # YASGUI draws its icons as inline SVG
            assert [e for e in state["elements"] if not e.startswith("script ")] == [], name
            scripts = {e.split(" ", 1)[1] for e in state["elements"] if e.startswith("script ")}
            assert scripts <= SCRIPT_SOURCES | JSON_BLOCKS, name
    assert report["foreignRequests"] == []


@pytest.mark.browser
def test_browser_shows_payloads_as_text(report: dict[str, Any]) -> None:
    for path in BROWSER_PAGES:
        text = " ".join(report["pages"][path]["text"].split())
        for shown in SHOWN.get(path, []):
            assert " ".join(shown.split()) in text, (path, shown)
    assert report["pages"]["/id/person/xss-person"]["title"] == f"{PERSON} · bilateral-kg"
    assert report["details"]["person/xss-person"]["panel"].startswith(PERSON)
    assert report["details"]["act/xss-request"]["panel"].startswith(
        f"Request by {PERSON}: expand {TEMPLATE} cooperation {CLOSE}"
    )
    assert report["inContext"] and all(SENTENCES[0] in t for t in report["inContext"][:1])
    assert any(f"Payload source {SCRIPT_TAG} {TEMPLATE}" in t for t in report["inContext"])
    assert f"{PERSON} person" in report["suggestions"]
    assert f"{ORG} organization" in report["suggestions"]
    assert report["picked"] == PERSON
    assert f"attended by — {PERSON}" in report["path"]
    assert f"attended by — {PERSON}" in report["pathByName"]
    assert any(PERSON in t for t in report["nodeList"])
    statement = report["loaded"]["statement/loaded-xss"]
    assert statement["panel"].startswith("Loaded statement " + SCRIPT_TAG)
    # Regression: the panel linked a source's "javascript:" URL (a loaded file can set one,
    # see /api/sources/loaded-xss) as its "original".
    assert report["sourceLinks"] and all(h.startswith("/id/") for h in report["sourceLinks"])
    assert report["loaded"]["person/loaded-xss"]["panel"].startswith("Loaded Person " + SCRIPT_TAG)
    assert any(PERSON in t and ORG in t for t in report["edgeList"])
    assert any(PERSON in t for t in report["edgeDetails"])
    assert "Payload Person" in report["editorTable"]
    # YASR links only http(s) IRIs; the ' of an IRI does not leave its attribute.
    assert [h for h in report["editorLinks"] if h and not h.startswith("http")] == []


def test_security_headers_middleware(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as c:
        for path in ("/", "/id/person/xss-person", "/explore", "/sparql"):
            r = c.get(path, headers={"Accept": "text/html"})
            assert _hardening(r.headers) == [], path
            assert r.headers["content-security-policy"] == content_security_policy()
            assert r.headers["x-frame-options"] == "DENY"
        # /docs is a page under the policy too: Swagger UI is served by the app (issue 17).
        r = c.get("/docs", headers={"Accept": "text/html"})
        assert r.headers["content-security-policy"] == content_security_policy()
        for path in ("/index.json", "/api/search?q=Payload", f"/id/person/{P}"):
            r = c.get(path)
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert "content-security-policy" not in r.headers, path
    assert "'unsafe-inline'" not in content_security_policy().split("script-src")[1].split(";")[0]


@pytest.mark.browser
def test_pages_work_under_the_security_policy(
    base: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The explorer and the editor run under the policy: no console error (a blocked script or
    request is one), and every step of the XSS walk still works."""
    explore = {**PLAN["explore"], "details": ["person/xss-person"], "edges": 0}
    del explore["hostileQuery"]
    plan = {**PLAN, "pages": ["/", "/id/source/xss-payload-source"], "explore": explore}
    report = run_browser(base, plan, tmp_path_factory.mktemp("xss-csp"))
    # YASR hands each literal, unescaped, to DOMPurify for the table's sort and filter keys;
    # DOMPurify parses it in an inert document, where the policy reports (and blocks) the
    # payload's handler although it could not run there. Blocking a payload is the policy's
    # job: only a block of anything else is an error (the page's own scripts and handlers).
    blocked = [e for e in report["consoleErrors"] if "CSP blocked" in e]
    errors = [
        e
        for e in report["consoleErrors"]
        if "favicon.ico" not in e
        and "violates the following Content Security Policy" not in e
        and not ("CSP blocked script-src-attr" in e and "window.__xss=1" in e)
    ]
    assert errors == [], "\n".join(errors)
    assert all("yasgui.min.js" in e for e in blocked), blocked
    assert report["picked"] == PERSON and "Payload Person" in report["editorTable"]
