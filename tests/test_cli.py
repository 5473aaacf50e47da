"""The ``bilateral`` command line, run as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from conftest import ID, ROOT, SEEDS
from fastapi.testclient import TestClient

from api.cli import main
from graph.store import open_store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.pipeline
def test_build_reports_what_it_built(tmp_path: Path, capsys) -> None:
    status, out, err = run(capsys, "build", "--store", str(tmp_path / "s"), "--seeds", str(SEEDS))
    assert status == 0
    assert out.startswith("built ") and "from 1 source(s) and 29 entities" in out
    assert "checking fact sheets" in err and "validating against the SHACL shapes" in err


@pytest.mark.pipeline
def test_validate(capsys) -> None:
    status, out, _ = run(capsys, "validate", "--seeds", str(SEEDS))
    assert status == 0
    assert out.startswith("valid: 1 source(s), 29 entities, ") and "SHACL conforms" in out


def test_query_as_table(built: Path, capsys) -> None:
    status, out, _ = run(
        capsys,
        "query",
        "--store",
        str(built),
        "SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name",
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0].strip() == "name"
    assert [line.strip() for line in lines[2:6]] == [
        "Heng Sour",
        "Lee Cheol-woo",
        "Lee Jung-sik",
        "Pav Sina",
    ]
    assert lines[-1] == "(4 rows)"


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("json", lambda out: json.loads(out)["results"]["bindings"][0]["n"]["value"] == "2"),
        ("csv", lambda out: out.splitlines() == ["n", "2"]),
        ("tsv", lambda out: out.splitlines() == ["?n", "2"]),
        ("xml", lambda out: "<sparql" in out and ">2<" in out),
    ],
)
def test_query_formats(built: Path, capsys, fmt: str, check) -> None:
    status, out, _ = run(
        capsys,
        "query",
        "--store",
        str(built),
        "--format",
        fmt,
        "SELECT (COUNT(?m) AS ?n) WHERE { ?m a bkg:Meeting }",
    )
    assert status == 0 and check(out), out


def test_query_ask_and_construct(built: Path, capsys) -> None:
    _, out, _ = run(
        capsys, "query", "--store", str(built), "ASK { ?m a schema:Event ; schema:location ?place }"
    )
    assert out.strip() == "true"
    _, out, _ = run(
        capsys,
        "query",
        "--store",
        str(built),
        "--format",
        "nt",
        "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a schema:Person ; rdfs:label ?l }",
    )
    assert len(out.splitlines()) == 4 and '"Pav Sina"@en' in out


def test_bad_query_exits_non_zero_with_one_line(built: Path, capsys) -> None:
    status, out, err = run(capsys, "query", "--store", str(built), "SELEKT ?x WHERE {}")
    assert status == 1 and out == ""
    assert err.startswith("error: bad SPARQL: ") and err.count("\n") == 1


def test_show_by_alias_prints_facts_with_evidence(built: Path, capsys) -> None:
    status, out, _ = run(capsys, "show", "--store", str(built), "Sour")
    assert status == 0
    assert out.startswith("Heng Sour  <https://bilateral-kg.example/id/person/heng-sour>")
    assert "[stated, proposed] Proposal by Heng Sour: additional vocational education" in out
    assert "“He also proposed additional vocational education and training assistance.”" in out
    assert "characters 1333–1406" in out
    assert "[derived] Heng Sour — met with — Lee Jung-sik" in out


def test_show_json(built: Path, capsys) -> None:
    status, out, _ = run(capsys, "show", "--store", str(built), "--json", "KOSHA")
    view = json.loads(out)
    assert status == 0 and view["label"] == "Korea Occupational Safety and Health Agency"
    layers = {f["label"]: f["layer"] for f in view["facts"]}
    assert layers["Korea Occupational Safety and Health Agency — country — South Korea"] == "stated"


def test_show_unknown_name(built: Path, capsys) -> None:
    status, _, err = run(capsys, "show", "--store", str(built), "Nobody Atall")
    assert status == 1 and err == "error: nothing in the graph is called 'Nobody Atall'\n"


@pytest.mark.parametrize(
    "name",
    [
        "Heng Sour",  # a name
        "Heng Suor",  # an alias
        "person/heng-sour",  # an id
        f"{ID}person/heng-sour",  # an IRI
        "KOSHA",  # an alias that is an acronym
        "Lee",  # two people: the candidates, never one of them picked
        "Kosah",  # nothing: the nearest names
        "Nobody Atall",  # nothing, and nothing near
    ],
)
def test_the_command_line_and_the_api_find_the_same_node(
    built: Path, client: TestClient, capsys, name: str
) -> None:
    status, out, err = run(capsys, "show", "--store", str(built), "--json", name)
    r = client.get("/api/entities/" + quote(name, safe="/:"))
    if r.status_code == 200:
        assert status == 0 and json.loads(out)["iri"] == r.json()["iri"]
    else:
        assert r.status_code == 404 and status == 1 and out == ""
        assert err == f"error: {r.json()['detail']}\n"
    # `path` finds its ends the same way.
    status, _, err = run(capsys, "path", "--store", str(built), name, "NEA", "--json")
    assert status == (0 if r.status_code == 200 else 1)


def test_an_ambiguous_name_lists_its_candidates(built: Path, client: TestClient, capsys) -> None:
    message = (
        "'Lee' may name any of: Lee Jung-sik (person/lee-jung-sik), "
        "Lee Cheol-woo (person/lee-cheol-woo); give one by its id"
    )
    assert run(capsys, "show", "--store", str(built), "Lee") == (1, "", f"error: {message}\n")
    assert client.get("/api/paths", params={"from": "lee", "to": "NEA"}).json()["detail"] == (
        message.replace("'Lee'", "'lee'")
    )
    status, out, _ = run(capsys, "show", "--store", str(built), "Lee Cheol")
    assert status == 0 and out.startswith("Lee Cheol-woo  <")


def test_an_unknown_name_gives_the_nearest_names(built: Path, capsys) -> None:
    status, _, err = run(capsys, "path", "--store", str(built), "NEA", "Kosah")
    assert status == 1 and err.startswith(
        "error: nothing in the graph is called 'Kosah'; the nearest names: "
        "Korea Occupational Safety and Health Agency (organization/kosha)"
    )


def test_export_sorted_nquads_are_stable(built: Path, tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.nq", tmp_path / "b.nq"
    assert run(capsys, "export", "--store", str(built), "--format", "nq", "-o", str(a))[0] == 0
    assert run(capsys, "export", "--store", str(built), "--format", "nq", "-o", str(b))[0] == 0
    lines = a.read_bytes().splitlines()
    assert a.read_bytes() == b.read_bytes() and lines == sorted(lines) and len(lines) > 2000


@pytest.mark.parametrize("fmt", ["ttl", "trig", "jsonld", "nt"])
def test_export_formats_parse_back(built: Path, tmp_path: Path, capsys, fmt: str) -> None:
    import pyoxigraph as ox

    out = tmp_path / f"graph.{fmt}"
    assert run(capsys, "export", "--store", str(built), "--format", fmt, "-o", str(out))[0] == 0
    rdf_format = {"jsonld": ox.RdfFormat.JSON_LD}.get(fmt) or ox.RdfFormat.from_extension(fmt)
    quads = list(ox.parse(path=str(out), format=rdf_format))
    assert len(quads) > 2000


def test_load_into_a_named_graph(built: Path, tmp_path: Path, capsys) -> None:
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    ttl = tmp_path / "extra.ttl"
    ttl.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n')
    status, out, _ = run(
        capsys, "load", str(ttl), "--graph", "http://example.org/extra", "--store", str(store)
    )
    assert status == 0
    assert out == f"loaded {ttl} into <http://example.org/extra>: 1 new triples (1 in the graph)\n"
    status, out, _ = run(
        capsys, "load", str(ttl), "--graph", "http://example.org/extra", "--store", str(store)
    )
    assert out == f"loaded {ttl} into <http://example.org/extra>: 0 new triples (1 in the graph)\n"
    _, out, _ = run(
        capsys,
        "query",
        "--store",
        str(store),
        "--format",
        "csv",
        "SELECT ?l WHERE { GRAPH <http://example.org/extra> { ?s rdfs:label ?l } }",
    )
    assert out.splitlines() == ["l", "A"]


def test_load_refuses_a_broken_file(built: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n")
    status, _, err = run(
        capsys, "load", str(bad), "--graph", "http://example.org/g", "--store", str(built)
    )
    assert status == 1 and err.startswith(f"error: {bad}:")


def test_load_refuses_a_file_that_gives_no_triples(built: Path, tmp_path: Path, capsys) -> None:
    # The JSON-LD parser drops a node whose @id is not an IRI, without an error.
    bad = tmp_path / "bad.jsonld"
    bad.write_text('{"@id": "not an iri", "http://schema.org/name": "x"}')
    before = sorted(open_store(built).dump(ox.RdfFormat.N_QUADS).splitlines())
    status, _, err = run(
        capsys, "load", str(bad), "--graph", "http://example.org/g", "--store", str(built)
    )
    assert status == 1
    assert err == (
        f"error: {bad}: no triples found (for JSON-LD: every @id must be an absolute IRI); "
        "nothing was loaded\n"
    )
    assert sorted(open_store(built).dump(ox.RdfFormat.N_QUADS).splitlines()) == before


def test_broken_seeds_name_file_and_line(tmp_path: Path, capsys) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    sheet = seeds / "facts" / "ppp-cambodia-korea-labour.yaml"
    sheet.write_text(sheet.read_text().replace("status: pledged", "status: promised", 1))
    status, _, err = run(capsys, "build", "--seeds", str(seeds), "--store", str(tmp_path / "s"))
    assert status == 1
    first, second = err.splitlines()[-2:]
    assert first == "error: 1 problem(s) in the seeds"
    assert second.startswith("  seeds/facts/ppp-cambodia-korea-labour.yaml:")
    assert "unknown status 'promised'" in second


@pytest.mark.subprocess
def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("bilateral")
    result = subprocess.run(
        [str(exe), "--help"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    for command in ("build", "validate", "query", "show", "export", "load", "serve"):
        assert command in result.stdout


def test_query_on_chosen_layers(built: Path, capsys) -> None:
    query = "SELECT ?date WHERE { ?m a bkg:Meeting ; schema:startDate ?date } ORDER BY ?date"
    _, out, _ = run(
        capsys,
        "query",
        "--store",
        str(built),
        "--format",
        "csv",
        "--layers",
        "stated,reference",
        query,
    )
    assert out.splitlines() == ["date"]  # the article states no year
    _, out, _ = run(
        capsys,
        "query",
        "--store",
        str(built),
        "--format",
        "csv",
        "--layers",
        "stated,inferred",
        query,
    )
    assert out.splitlines() == ["date", "2024-03-06", "2024-03-08"]
    status, _, err = run(capsys, "query", "--store", str(built), "--layers", "rumour", query)
    assert status == 1 and err.startswith("error: unknown layer(s): rumour; choose from stated")


def test_show_by_part_of_a_name(built: Path, capsys) -> None:
    for part, label in [
        ("Sina", "Pav Sina"),
        ("skilled workers", "skilled workers programme"),
        ("Gyeongsangbuk", "Gyeongsangbuk-do"),
        ("Composition", "Korea Workers' Compensation and Welfare Service"),
    ]:
        status, out, err = run(capsys, "show", "--store", str(built), part)
        assert status == 0, err
        assert out.startswith(f"{label}  <"), out.splitlines()[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["build", "--base-iri", "https://x"],
            "error: --base-iri: Value error, the base IRI must be",
        ),
        (
            ["query", "@/nonexistent/q.rq"],
            "error: cannot read the query from /nonexistent/q.rq: No such file or directory",
        ),
        (
            ["export", "-o", "/nonexistent/dir/x.nq"],
            "error: cannot write /nonexistent/dir/x.nq: No such file or directory",
        ),
        (
            ["query", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
            "error: SERVICE <http://127.0.0.1:9/> is not allowed",
        ),
        (
            [
                "load",
                "/dev/null",
                "--format",
                "nt",
                "--graph",
                "https://bilateral-kg.example/graph/stated/ppp-cambodia-korea-labour",
            ],
            "error: <https://bilateral-kg.example/graph/stated/ppp-cambodia-korea-labour> is one of the "
            "graphs the build writes",
        ),
    ],
)
def test_bad_arguments_give_one_line_errors(
    built: Path, capsys, argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv, "--store", str(built))
    assert status == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


def test_path_prints_the_explained_chain_with_evidence(built: Path, capsys) -> None:
    status, out, _ = run(capsys, "path", "--store", str(built), "NSSF", "KOSHA", "--k", "1")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == (
        "1. National Social Security Fund — named as partner in — Request by Heng Sour: …KOSHA and "
        "the Korean Workers’… (8 March 2024, year inferred, Seoul, requested) — names as partner "
        "— Korea Occupational Safety and Health Agency"
    )
    assert "“The minister asked Lee to expand the skilled workers programme" in out
    assert "characters 917–1332" in out


def test_path_over_chosen_relations_and_as_json(built: Path, capsys) -> None:
    status, out, _ = run(
        capsys,
        "path",
        "--store",
        str(built),
        "NEA",
        "gyeongsangbuk",
        "--relations",
        "interaction,organization",
        "--json",
    )
    answer = json.loads(out)
    assert status == 0 and len(answer["paths"]) == 3
    for path in answer["paths"]:
        labels = [n["label"] for n in path["nodes"]]
        assert "Heng Sour" in labels and "Lee Cheol-woo" in labels
    status, out, _ = run(
        capsys, "path", "--store", str(built), "NSSF", "KOSHA", "--layers", "inferred"
    )
    assert out.startswith("no path from National Social Security Fund to Korea Occupational")
    status, _, err = run(capsys, "path", "--store", str(built), "NSSF", "Nobody Atall")
    assert status == 1 and err == "error: nothing in the graph is called 'Nobody Atall'\n"


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_export_the_projection(built: Path, tmp_path: Path, capsys, fmt: str) -> None:
    import csv as csvmod

    import networkx as nx

    out = tmp_path / f"p.{fmt}"
    assert run(capsys, "export", "--store", str(built), "--format", fmt, "-o", str(out))[0] == 0
    if fmt == "csv":
        rows = list(csvmod.DictReader(out.open(encoding="utf-8")))
        request = [
            r
            for r in rows
            if r["relation"] == "partner" and r["target_label"] == "National Social Security Fund"
        ]
        assert request and request[0]["layer"] == "stated" and request[0]["offsets"] == "917-1332"
        return
    G = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    labels = {d["label"] for _, d in G.nodes(data=True)}
    assert {"Heng Sour", "National Social Security Fund", "Seoul"} <= labels
    assert G.number_of_edges() > 100


def test_settings_are_declared_once_and_the_command_line_feeds_them() -> None:
    from api.cli import _parser
    from api.cli.shared import settings as _settings
    from api.config import Settings

    args = _parser().parse_args(
        ["serve", "--query-timeout", "5", "--allowed-service", "http://a.example/sparql",
         "--trusted-proxy", "10.0.0.1", "--worker-memory", "600", "--store", "elsewhere"]
    )  # fmt: skip
    settings = _settings(args)
    assert settings.query_timeout == 5.0 and settings.worker_memory == 600
    assert settings.allowed_services == ["http://a.example/sparql"]
    assert settings.trusted_proxies == ["10.0.0.1"] and str(settings.store) == "elsewhere"
    serve = _parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    helps = {a.dest: a.help for a in serve._actions}
    for name in ("query_timeout", "allowed_services", "public_url", "store_url"):
        assert helps[name] == Settings.model_fields[name].description


def test_no_command_declares_a_setting_again() -> None:
    """Every option that is a setting comes from its one declaration (api/config.py, through
    add_setting): no module of the command line writes its flag a second time."""
    from api.config import Settings

    flags = {"--" + name.replace("_", "-") for name in Settings.model_fields}
    for path in (ROOT / "api").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [f for f in flags if f'add_argument("{f}"' in text], path
