"""Hostile input to the build and to ``bilateral load`` (issue 7, point 3).

Every broken or malicious fact sheet or RDF file in ``tests/hostile/build/`` (and the big ones
made here at test time) goes through the real command line against a copy of the seeds or of a
built store. Each must be refused with exit status 1 and a one-line ``error:`` (for seeds, followed
by problem lines naming the file and, where there is one, the line); nothing may be fetched (a
listener on 127.0.0.1 sees no connection); and the store that was current stays current, with
the same quads. Cases that could hang or eat memory run in a subprocess under a time and memory
limit. A case the code gets wrong today is ``xfail(strict=True)`` with the reason ``BUG: ...``.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.cli import main
from graph.store import current_generation

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "hostile" / "build"
BASE = "https://bilateral-kg.example/"
LAYER = BASE + "graph/stated/ppp-cambodia-korea-labour"
QUOTE = "Earlier, Sour met with Lee Cheol-woo, governor of Gyeongsangbuk-do province on March 6."
MEMORY_LIMIT = 1_500_000_000  # bytes of address space for a subprocess
TIME_LIMIT = 5.0  # seconds for a subprocess (a refusal takes about 1.5)

Listener = tuple[int, list[object]]


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def snapshot(store: Path) -> tuple[str, int]:
    """The current generation's name and its number of quads."""
    gen = current_generation(store)
    assert gen is not None
    return gen.name, len(ox.Store.read_only(str(gen)))


def corpus_file(name: str, dest: Path, port: int) -> Path:
    """Copy a corpus file to ``dest``; a ``.in`` template gets the listener's port."""
    src = CORPUS / name
    if name.endswith(".in"):
        dest.write_bytes(src.read_bytes().replace(b"PORT", str(port).encode()))
    else:
        shutil.copyfile(src, dest)
    return dest


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(SEEDS, root)
    return root


@pytest.fixture()
def store(tmp_path: Path, built: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(built, root, symlinks=True)
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Run the real CLI in-process; its exit status and its stderr lines."""
    capsys.readouterr()
    status = main(argv)
    return status, capsys.readouterr().err.splitlines()


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(argv: list[str], cwd: Path) -> tuple[int | None, list[str]]:
    """Run the CLI in a subprocess under a memory and time limit; ``None`` if it hung."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main())", *argv],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            preexec_fn=_limits,
        )
    except subprocess.TimeoutExpired:
        return None, []
    return done.returncode, done.stderr.splitlines()


def assert_seed_refusal(status: int | None, err: list[str], where: str, problem: str) -> None:
    """Exit 1; ``error: N problem(s) in the seeds`` then N lines, one naming ``where`` (a
    ``seeds/...`` path, with ``:LINE`` when it has a line) and the problem."""
    assert status == 1, (status, err)
    lines = [line for line in err if not line.startswith("…")]
    assert lines, err
    head, *problems = lines
    assert head == f"error: {len(problems)} problem(s) in the seeds", lines
    assert all(p.startswith("  seeds/") for p in problems), lines
    assert any(p.startswith(f"  {where}") and problem in p for p in problems), lines


def assert_one_line_error(status: int | None, err: list[str], *parts: str) -> None:
    """Exit 1 and exactly one line on stderr: ``error: ...`` holding every part."""
    assert status == 1, (status, err)
    assert len(err) == 1, err
    assert err[0].startswith("error: "), err
    assert all(part in err[0] for part in parts), err


# ------------------------------------------------------------------------------------------
# Fact sheets and register files from the corpus
# ------------------------------------------------------------------------------------------

SHEETS = [
    # (corpus file, where it goes in the seeds, expected location, expected problem)
    ("wrong-types.yaml", "facts", ":9:", "facts[0].attendees: Input should be a valid list"),
    ("missing-evidence.yaml", "facts", ":7:", "facts[0].evidence: Field required"),
    ("quote-not-in-text.yaml", "facts", ":10:", "quote not found in the source text"),
    ("duplicate-fact-ids.yaml", "facts", ":11:", "fact id 'hostile-meeting' is used twice"),
    ("duplicate-yaml-key.yaml", "facts", ":10:", "duplicate key 'attendees'"),
    ("yaml-bomb.yaml", "facts", ":7:", "YAML aliases of lists or mappings are not allowed"),
    ("merge-key.yaml", "facts", ":8:", "could not determine a constructor for the tag"),
    ("merge-key-alias.yaml", "facts", ":9:", "could not determine a constructor for the tag"),
    (
        "python-object.yaml",
        "facts",
        ":9:",
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    ("text-outside-seeds.yaml", "facts", ":5:", "is outside the seeds folder"),
    ("text-absolute.yaml", "facts", ":5:", "'/etc/passwd' is outside the seeds folder"),
    ("not-utf8.yaml", "facts", ":", "not UTF-8"),
    ("not-a-mapping.yaml", "facts", ":1:", "Input should be a valid dictionary"),
    ("remote-url.yaml.in", "facts", ":11:", "quote not found in the source text"),
    ("register-wrong-type.yaml", "entities", ":2:", "entities[0].type: Input should be"),
]


@pytest.mark.parametrize(
    ("name", "folder", "line", "problem"), SHEETS, ids=[s[0].split(".")[0] for s in SHEETS]
)
def test_hostile_sheet_is_refused(
    name: str,
    folder: str,
    line: str,
    problem: str,
    seeds: Path,
    store: Path,
    listener: Listener,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, hits = listener
    target = name.removesuffix(".in")
    corpus_file(f"sheets/{name}", seeds / folder / target, port)
    monkeypatch.chdir(seeds.parent)  # where a `!!python/...` tag would leave its mark
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert_seed_refusal(status, err, f"seeds/{folder}/{target}{line}", problem)
    assert snapshot(store) == before
    assert hits == []
    assert not (seeds.parent / "PWNED").exists()


def test_a_source_id_taken_by_another_sheet_is_refused(
    seeds: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(CORPUS / "sheets/duplicate-source-id.yaml", seeds / "facts/zz-dup.yaml")
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert_seed_refusal(
        status,
        err,
        "seeds/facts/zz-dup.yaml",
        "source id 'ppp-cambodia-korea-labour' is also used by "
        "seeds/facts/ppp-cambodia-korea-labour.yaml",
    )
    assert snapshot(store) == before


def test_an_entity_declared_again_in_another_register_file_is_refused(
    seeds: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(CORPUS / "sheets/register-duplicate-entity.yaml", seeds / "entities/dup.yaml")
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert_seed_refusal(
        status,
        err,
        "seeds/entities/register.yaml:",
        "entity id 'heng-sour' is declared twice (first at seeds/entities/dup.yaml:2)",
    )
    assert snapshot(store) == before


@pytest.mark.parametrize("name", ["python-tag-on-list.yaml", "python-tag-on-mapping.yaml"])
def test_a_python_tag_on_a_list_or_mapping_is_refused(
    name: str, seeds: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(CORPUS / "sheets" / name, seeds / "facts" / name)
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert snapshot(store) == before
    assert_seed_refusal(status, err, f"seeds/facts/{name}:", "tag")


@pytest.mark.parametrize(
    "name", ["cyclic-sub-organization.yaml", "self-sub-organization.yaml"], ids=["cycle", "self"]
)
def test_a_sub_organization_cycle_is_accepted_today(
    name: str, seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Documents the current decision: ``sub-organization-of`` cycles (even an organization
    inside itself) are data, not errors; the build neither refuses nor loops on them."""
    shutil.copyfile(CORPUS / "sheets" / name, seeds / "facts" / name)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(tmp_path / "s")], capsys)
    assert status == 0, err
    org = "http://www.w3.org/ns/org#subOrganizationOf"
    found = ox.Store.read_only(str(current_generation(tmp_path / "s"))).query(
        f"ASK {{ GRAPH ?g {{ <{BASE}id/organization/kosha> <{org}>+ "
        f"<{BASE}id/organization/kosha> }} }}"
    )
    assert bool(found)


# ------------------------------------------------------------------------------------------
# Enormous or endless sheets and texts, made at test time
# ------------------------------------------------------------------------------------------


def _sheet(text: str, evidence: str = QUOTE, facts: int = 1) -> str:
    head = (
        "source:\n  id: hostile-big\n  type: news-article\n  label: A big hostile sheet\n"
        f"  text: {text}\nfacts:\n"
    )
    fact = "  - id: m-{}\n    kind: meeting\n    attendees: [heng-sour]\n    evidence: {}\n"
    return head + "".join(fact.format(i, evidence) for i in range(facts))


def test_a_3_mb_sheet_is_refused(
    seeds: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = seeds / "facts" / "big.yaml"
    sheet.write_text(_sheet("../articles/ppp-cambodia-korea-labour.txt", facts=24_000))
    assert sheet.stat().st_size > 3_000_000
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert_seed_refusal(status, err, "seeds/facts/big.yaml", "the limit is")
    assert snapshot(store) == before


def test_a_6_mb_text_is_refused(
    seeds: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = (SEEDS / "articles" / "ppp-cambodia-korea-labour.txt").read_text(encoding="utf-8")
    big = seeds / "articles" / "big.txt"
    big.write_text((article * (6_000_000 // len(article) + 1))[:6_000_000], encoding="utf-8")
    (seeds / "facts" / "big.yaml").write_text(_sheet("../articles/big.txt"))
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert_seed_refusal(status, err, "seeds/facts/big.yaml:5:", "is larger than")
    assert snapshot(store) == before


def test_a_text_symlinked_out_of_the_seeds_is_refused(
    seeds: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeds / "articles" / "zero.txt").symlink_to("/dev/zero")
    (seeds / "facts" / "zero.yaml").write_text(_sheet("../articles/zero.txt"))
    before = snapshot(store)
    status, err = run(["build", "--seeds", str(seeds), "--store", str(store)], capsys)
    assert_seed_refusal(status, err, "seeds/facts/zero.yaml:5:", "is outside the seeds folder")
    assert snapshot(store) == before


def test_a_sheet_symlinked_to_dev_zero_is_refused(seeds: Path, store: Path) -> None:
    (seeds / "facts" / "zero.yaml").symlink_to("/dev/zero")
    before = snapshot(store)
    status, err = run_bounded(["build", "--seeds", "seeds", "--store", str(store)], seeds.parent)
    assert snapshot(store) == before
    assert_seed_refusal(status, err, "seeds/facts/zero.yaml", "")


def test_a_sheet_that_is_a_fifo_is_refused(seeds: Path, store: Path) -> None:
    os.mkfifo(seeds / "facts" / "fifo.yaml")
    before = snapshot(store)
    status, err = run_bounded(["build", "--seeds", "seeds", "--store", str(store)], seeds.parent)
    assert snapshot(store) == before
    assert_seed_refusal(status, err, "seeds/facts/fifo.yaml", "")


def test_a_text_that_is_a_fifo_is_refused(seeds: Path, store: Path) -> None:
    os.mkfifo(seeds / "articles" / "fifo.txt")
    (seeds / "facts" / "fifo.yaml").write_text(_sheet("../articles/fifo.txt"))
    before = snapshot(store)
    status, err = run_bounded(["build", "--seeds", "seeds", "--store", str(store)], seeds.parent)
    assert snapshot(store) == before
    assert_seed_refusal(status, err, "seeds/facts/fifo.yaml:5:", "")


# ------------------------------------------------------------------------------------------
# RDF files given to `bilateral load`
# ------------------------------------------------------------------------------------------

RDF = [
    # (corpus file, what the one-line error must also say)
    ("xxe-file.rdf", "RDF/XML with a DTD or entity declarations is not accepted"),
    ("xxe-http.rdf.in", "RDF/XML with a DTD or entity declarations is not accepted"),
    ("external-dtd.rdf.in", "RDF/XML with a DTD or entity declarations is not accepted"),
    ("remote-context.jsonld.in", "remote contexts"),
    ("remote-context-in-list.jsonld.in", "remote contexts"),
    ("syntax-error.ttl", "line 4"),
    ("not-utf8.ttl", "UTF-8"),
]


@pytest.mark.parametrize(("name", "problem"), RDF, ids=[r[0].split(".")[0] for r in RDF])
def test_hostile_rdf_is_refused(
    name: str,
    problem: str,
    tmp_path: Path,
    store: Path,
    listener: Listener,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port, hits = listener
    path = corpus_file(f"rdf/{name}", tmp_path / name.removesuffix(".in"), port)
    before = snapshot(store)
    status, err = run(["load", str(path), "--graph", "urn:hostile", "--store", str(store)], capsys)
    assert_one_line_error(status, err, str(path), problem)
    assert "root:" not in err[0]  # nothing of /etc/passwd
    assert snapshot(store) == before
    assert hits == []


def test_n_quads_into_a_layer_graph_are_refused(
    store: Path, listener: Listener, capsys: pytest.CaptureFixture[str]
) -> None:
    _, hits = listener
    before = snapshot(store)
    path = CORPUS / "rdf" / "layer.nq"
    status, err = run(["load", str(path), "--graph", LAYER, "--store", str(store)], capsys)
    assert_one_line_error(status, err, LAYER, "one of the graphs the build writes")
    assert snapshot(store) == before
    assert hits == []


def test_n_quads_naming_a_layer_graph_never_reach_it(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Documents today's behaviour: the graph names inside the file are ignored and every quad
    goes to ``--graph``, so the layer the file names is left alone."""
    graph = ox.NamedNode(LAYER)
    layer_before = len(
        list(
            ox.Store.read_only(str(current_generation(store))).quads_for_pattern(
                None, None, None, graph
            )
        )
    )
    path = CORPUS / "rdf" / "layer.nq"
    status, _ = run(["load", str(path), "--graph", "urn:own", "--store", str(store)], capsys)
    assert status == 0
    after = ox.Store.read_only(str(current_generation(store)))
    assert len(list(after.quads_for_pattern(None, None, None, graph))) == layer_before
    assert len(list(after.quads_for_pattern(None, None, None, ox.NamedNode("urn:own")))) == 1


def test_rdf_xml_billion_laughs_is_refused(tmp_path: Path, store: Path) -> None:
    before = snapshot(store)
    path = CORPUS / "rdf" / "billion-laughs.rdf"
    status, err = run_bounded(
        ["load", str(path), "--graph", "urn:hostile", "--store", str(store)], tmp_path
    )
    assert snapshot(store) == before
    assert_one_line_error(status, err, str(path))


# Issue 13: the parsers recurse, so these crashed the process that parsed them (the server, or
# `bilateral load` itself); and the DTD check read only the first 64 KB. Test data written here.
DEEP = [
    (
        "deep.jsonld",
        ('{"@id": "http://e/a", "http://e/p": ' * 10_000 + '"x"' + "}" * 10_000).encode(),
        "the upload nests 10000 levels deep; the limit is 1000",
    ),
    (
        "terms.ttl",
        (
            "<http://e/s> <http://e/p> "
            + "<<( <http://e/a> <http://e/b> " * 20_000
            + "<http://e/c>"
            + " )>>" * 20_000
            + " ."
        ).encode(),
        "the limit is 1000",
    ),
    (
        "laughs-after-a-comment.rdf",
        b"<!--"
        + b"x" * 70_000
        + b'-->\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        "RDF/XML with a DTD or entity declarations is not accepted",
    ),
]


@pytest.mark.parametrize(("name", "body", "problem"), DEEP, ids=[d[0] for d in DEEP])
def test_load_refuses_deep_nesting_and_hidden_dtds(
    name: str, body: bytes, problem: str, tmp_path: Path, store: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    before = snapshot(store)
    status, err = run_bounded(
        ["load", str(path), "--graph", "urn:hostile", "--store", str(store)], tmp_path
    )
    assert snapshot(store) == before
    assert_one_line_error(status, err, str(path), problem)
