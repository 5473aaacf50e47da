"""The competency questions (../shared/competency-questions.md), one test each, in SPARQL.

Each test asks the seed graph the question and checks the exact answer the article supports,
and the layer it lives in: stated (the article says so), inferred (with a reason) or derived
(computed). A query restricted to the stated layer must not return inferred or derived answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from conftest import ARTICLE, ID, SOURCE
from pyoxigraph import NamedNode

#: Short names for the seed's own IRIs, prepended to every query below (after our PREFIXES).
LOCAL_PREFIXES = f"""\
PREFIX person: <{ID}person/>
PREFIX orgn: <{ID}organization/>
PREFIX place: <{ID}place/>
PREFIX post: <{ID}post/>
PREFIX prog: <{ID}programme/>
PREFIX doc: <{ID}document/>
PREFIX group: <{ID}group/>
PREFIX meeting: <{ID}meeting/>
PREFIX act: <{ID}act/>
PREFIX stmt: <{ID}statement/>
PREFIX obs: <{ID}observation/>
PREFIX assertion: <{ID}assertion/ppp-cambodia-korea-labour/>
"""

M1 = ID + "meeting/meeting-heng-sour-lee-jung-sik-march-8"  # Seoul, 8 March
M2 = ID + "meeting/meeting-heng-sour-lee-cheol-woo-march-6"  # place not stated, 6 March

FIRE_TRUCKS = (
    "According to the labour ministry, the governor will examine the possibility of providing "
    "equipment for vocational training institutions, the exchange of technology and the "
    "provision of fire trucks and ambulances."
)
FIRE_TRUCKS_START, FIRE_TRUCKS_END = 2046, 2258


def slug(iri: str | None) -> str | None:
    """The last path segment of an IRI (``.../person/heng-sour`` -> ``heng-sour``)."""
    return None if iri is None else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@pytest.fixture(scope="module")
def cq(q: Any) -> Any:
    """Like ``q``, with the seed's short prefixes (``person:``, ``act:`` ...) too."""

    def run(query: str, **bindings: Any) -> list[dict[str, Any]]:
        return q(LOCAL_PREFIXES + query, **bindings)

    return run


def test_cq01_persons_and_their_posts(cq) -> None:
    """Which persons are named, with which post?"""
    persons = cq("""
        SELECT DISTINCT ?name WHERE {
            ?mention a oa:Annotation ; oa:hasBody ?p .
            ?p a schema:Person ; rdfs:label ?name .
        }""")
    assert {r["name"] for r in persons} == {
        "Heng Sour",
        "Lee Jung-sik",
        "Lee Cheol-woo",
        "Pav Sina",
    }

    rows = cq("""
        SELECT DISTINCT ?name ?postName ?layer ?orgName ?orgLayer WHERE {
            GRAPH ?g { ?p org:holds ?post } ?g bkg:layer ?layer .
            ?p a schema:Person ; rdfs:label ?name . ?post a org:Post ; rdfs:label ?postName .
            ?post org:heldBy ?p .
            OPTIONAL {
                GRAPH ?h { ?post org:postIn ?o } ?h bkg:layer ?orgLayer . ?o rdfs:label ?orgName
            }
        }""")
    assert {
        (r["name"], r["postName"], slug(r["layer"]), r["orgName"], slug(r["orgLayer"]))
        for r in rows
    } == {
        (
            "Heng Sour",
            "Minister of Labour and Vocational Training",
            "stated",
            "Ministry of Labour and Vocational Training",
            "inferred",
        ),
        (
            "Lee Jung-sik",
            "Minister of Employment and Labor",
            "inferred",
            "Ministry of Employment and Labor",
            "inferred",
        ),
        (
            "Lee Cheol-woo",
            "Governor of Gyeongsangbuk-do",
            "stated",
            "Gyeongsangbuk-do Provincial Government",
            "stated",
        ),
        (
            "Pav Sina",
            "President of the Collective Union of Movement of Workers",
            "stated",
            "Collective Union of Movement of Workers",
            "stated",
        ),
    }

    # Lee Jung-sik is stated only as Heng Sour's South Korean counterpart ...
    counterpart = cq("""
        SELECT ?other WHERE {
            GRAPH ?g { person:lee-jung-sik bkg:counterpartOf ?other } ?g bkg:layer epi:stated
        }""")
    assert [slug(r["other"]) for r in counterpart] == ["heng-sour"]
    # ... his title is inferred, with its reason, and a stated-only query does not return it.
    title = cq("""
        SELECT ?reason WHERE {
            GRAPH ?g {
                ?a rdf:subject person:lee-jung-sik ; rdf:predicate org:holds ;
                   rdf:object post:minister-of-employment-and-labor ;
                   bkg:epistemicStatus epi:inferred ; bkg:reason ?reason
            }
            ?g bkg:layer epi:inferred
        }""")
    assert len(title) == 1 and "gives no title" in title[0]["reason"]
    stated_only = cq("""
        SELECT ?post WHERE {
            GRAPH ?g { person:lee-jung-sik org:holds ?post } ?g bkg:layer epi:stated
        }""")
    assert stated_only == []


def test_cq02_organizations_and_whose_they_are(cq) -> None:
    """Which organizations are named, and whose are they?"""
    named = cq("""
        SELECT DISTINCT ?org WHERE {
            ?org a org:Organization .
            { ?mention a oa:Annotation ; oa:hasBody ?org }
            UNION
            { GRAPH ?g { ?post org:postIn ?org } ?g bkg:layer epi:stated }
        }""")
    assert {slug(r["org"]) for r in named} == {
        "mlvt",
        "nssf",
        "nea",
        "cambodian-embassy-seoul",
        "cumw",
        "kosha",
        "comwel",
        "keis",
        "gyeongsangbuk-do-government",
    }

    countries = cq("""
        SELECT DISTINCT ?org ?country ?layer WHERE {
            GRAPH ?g { ?org bkg:country ?c } ?g bkg:layer ?layer . ?c rdfs:label ?country .
            ?org a org:Organization .
            FILTER (?org != orgn:moel)
        }""")
    whose = {slug(r["org"]): (r["country"], slug(r["layer"])) for r in countries}
    assert len(countries) == len(whose) == 9  # one country per organization, in one layer
    assert whose.pop("gyeongsangbuk-do-government")[0] == "South Korea"
    assert whose == {
        "mlvt": ("Cambodia", "inferred"),  # "the labour ministry" = MLVT is inferred
        "nssf": ("Cambodia", "stated"),  # "the Kingdom's National Social Security Fund"
        "nea": ("Cambodia", "stated"),  # "Cambodia's National Employment Agency"
        "cambodian-embassy-seoul": ("Cambodia", "stated"),
        "cumw": ("Cambodia", "inferred"),
        "kosha": ("South Korea", "stated"),
        "comwel": ("South Korea", "stated"),
        "keis": ("South Korea", "stated"),
    }
    # The provincial government: stated to be of Gyeongsangbuk-do, a KR subdivision (ISO 3166-2).
    province = cq("""
        SELECT ?country WHERE {
            GRAPH ?g { orgn:gyeongsangbuk-do-government schema:areaServed place:gyeongsangbuk-do }
            ?g bkg:layer epi:stated .
            GRAPH ?r { place:gyeongsangbuk-do schema:containedInPlace ?c }
            ?r bkg:layer epi:reference .
            ?c rdfs:label ?country
        }""")
    assert [r["country"] for r in province] == ["South Korea"]

    # The mentions that need outside knowledge are inferred, each with its reason.
    mentions = cq("""
        SELECT DISTINCT ?org ?exact ?layer ?reason WHERE {
            GRAPH ?g { ?m a oa:Annotation ; oa:hasBody ?org ; oa:hasTarget ?span .
                       OPTIONAL { ?m bkg:reason ?reason } }
            ?g bkg:layer ?layer . ?org a org:Organization .
            ?span oa:hasSelector/oa:exact ?exact .
        }""")
    by_text = {(r["exact"], slug(r["org"]), slug(r["layer"])) for r in mentions}
    assert by_text == {
        ("the labour ministry", "mlvt", "inferred"),
        ("Korean Occupational Safety and Health Agency (KOSHA)", "kosha", "stated"),
        ("Korean Workers’ Composition and Welfare Service Unit", "comwel", "inferred"),
        ("Korean Employment Information Service Unit", "keis", "inferred"),
        ("National Social Security Fund (NSSF)", "nssf", "stated"),
        ("National Employment Agency (NEA)", "nea", "stated"),
        ("Collective Union of Movement of Workers", "cumw", "stated"),
        ("Cambodian embassy in Seoul", "cambodian-embassy-seoul", "stated"),
    }
    for r in mentions:
        assert (r["reason"] is not None) == (slug(r["layer"]) == "inferred"), r

    # The Employment Permit System is a programme, not an organization.
    eps = cq("""
        SELECT ?isProgramme ?isOrg WHERE {
            BIND (EXISTS { prog:eps a bkg:Programme } AS ?isProgramme)
            BIND (EXISTS { prog:eps a org:Organization } AS ?isOrg)
        }""")
    assert eps == [{"isProgramme": "true", "isOrg": "false"}]


def test_cq03_meetings_with_date_place_participants_and_source(cq) -> None:
    """List the meetings with date, place, participants and source."""
    rows = cq("""
        SELECT ?m ?date ?place ?attendee ?via ?viaType ?viaDate ?viaAuthor WHERE {
            GRAPH ?g { ?m a bkg:Meeting ; bkg:edtfDate ?date ; schema:attendee ?a }
            ?g bkg:layer epi:stated .
            ?a rdfs:label ?attendee .
            OPTIONAL { ?m schema:location/rdfs:label ?place }
            OPTIONAL {
                GRAPH ?h {
                    ?m prov:hadPrimarySource ?via .
                    ?via bkg:edtfDate ?viaDate ; schema:author ?au .
                }
                ?h bkg:layer epi:stated .
                ?via a ?viaType . FILTER (?viaType = schema:SocialMediaPosting)
                ?au rdfs:label ?viaAuthor
            }
        }""")
    meetings: dict[str, Any] = defaultdict(lambda: {"attendees": set()})
    for r in rows:
        m = meetings[r["m"]]
        m["attendees"].add(r["attendee"])
        m["date"], m["place"], m["via"] = r["date"], r["place"], slug(r["via"])
        m["via_type"], m["via_date"], m["via_author"] = (
            slug(r["viaType"]),
            r["viaDate"],
            r["viaAuthor"],
        )
    assert dict(meetings) == {
        M1: {
            "attendees": {"Heng Sour", "Lee Jung-sik"},
            "date": "XXXX-03-08",  # EDTF: 8 March, year not stated
            "place": "Seoul",
            "via": "mlvt-post-march-10",
            "via_type": "SocialMediaPosting",
            "via_date": "XXXX-03-10",
            "via_author": "Ministry of Labour and Vocational Training",
        },
        M2: {
            "attendees": {"Heng Sour", "Lee Cheol-woo"},
            "date": "XXXX-03-06",
            "place": None,  # not stated
            "via": None,
            "via_type": None,
            "via_date": None,
            "via_author": None,
        },
    }

    # Both come from the article, with their evidence sentences.
    evidence = cq(
        """
        SELECT ?m ?exact ?src WHERE {
            ?m a bkg:Meeting ; prov:wasDerivedFrom ?span .
            ?span oa:hasSource ?src ; oa:hasSelector/oa:exact ?exact .
        }""",
        src=NamedNode(SOURCE),
    )
    quotes: dict[str, set[str]] = defaultdict(set)
    for r in evidence:
        quotes[r["m"]].add(r["exact"])
    assert quotes == {
        M1: {
            "Minister of Labour and Vocational Training Heng Sour met with his South Korean "
            "counterpart Lee Jung-sik on March 8 in Seoul, according to a March 10 social media "
            "post by the labour ministry.",
            "During the meeting, the two sides discussed the employment of Cambodian workers "
            "under the Employment Permit System (EPS), which began in 2006.",
        },
        M2: {
            "Earlier, Sour met with Lee Cheol-woo, governor of Gyeongsangbuk-do province on "
            "March 6."
        },
    }

    # M2 came before M1 ("Earlier"), stated.
    order = cq("""
        SELECT ?earlier ?later WHERE {
            GRAPH ?g { ?t1 time:before ?t2 } ?g bkg:layer epi:stated .
            GRAPH ?h { ?earlier time:hasTime ?t1 . ?later time:hasTime ?t2 }
            ?h bkg:layer epi:stated .
        }""")
    assert order == [{"earlier": M2, "later": M1}]


def test_cq04_no_location_for_the_march_6_meeting(cq) -> None:
    """Where did Heng Sour meet Lee Cheol-woo?"""
    meeting = cq("""
        SELECT DISTINCT ?m WHERE {
            ?m a bkg:Meeting ; schema:attendee person:heng-sour, person:lee-cheol-woo
        }""")
    assert [r["m"] for r in meeting] == [M2]

    # Unknown: no location in any layer (stated, inferred, derived) ...
    located = cq("""
        SELECT ?m ?g ?where WHERE {
            GRAPH ?g { ?m schema:location|schema:contentLocation|schema:containedInPlace ?where }
        }""")
    assert {(r["m"], slug(r["where"])) for r in located if r["m"] in (M1, M2)} == {(M1, "seoul")}
    # ... and no edge at all from the meeting (or its time) to Seoul or Gyeongsangbuk-do.
    to_places = cq(
        """
        SELECT ?m ?s ?p ?o WHERE {
            ?s ?p ?o .
            FILTER (STRSTARTS(STR(?s), STR(?m)))
            FILTER (?o IN (place:seoul, place:gyeongsangbuk-do, place:south-korea,
                           orgn:gyeongsangbuk-do-government))
        }""",
        m=NamedNode(M2),
    )
    assert to_places == []
    # The Seoul meeting keeps its stated place: the query above is not vacuous.
    seoul = cq("""
        SELECT ?m WHERE { GRAPH ?g { ?m schema:location place:seoul } ?g bkg:layer epi:stated .
                          ?m a bkg:Meeting }""")
    assert [r["m"] for r in seoul] == [M1]


def test_cq05_the_year_is_inferred_not_stated(cq) -> None:
    """In which year did the meetings take place?"""
    # Stated: day and month only (EDTF with an unknown year), no full date, no year anywhere.
    stated_dates = cq("""
        SELECT ?m ?edtf WHERE {
            GRAPH ?g { ?m a bkg:Meeting ; bkg:edtfDate ?edtf } ?g bkg:layer epi:stated
        }""")
    assert {(r["m"], r["edtf"]) for r in stated_dates} == {
        (M1, "XXXX-03-08"),
        (M2, "XXXX-03-06"),
    }
    full_dates_stated = cq("""
        SELECT ?s ?p ?o WHERE {
            GRAPH ?g { ?s ?p ?o } ?g bkg:layer epi:stated .
            FILTER (isLiteral(?o) && DATATYPE(?o) IN (xsd:date, xsd:dateTime))
        }""")
    assert full_dates_stated == []
    stated_years = cq("""
        SELECT ?m ?year WHERE {
            GRAPH ?g { ?m a bkg:Meeting ; time:hasTime/time:inDateTime ?d .
                       OPTIONAL { ?d time:year ?year } }
            ?g bkg:layer epi:stated .
        }""")
    assert {(r["m"], r["year"]) for r in stated_years} == {(M1, None), (M2, None)}

    # A query for the meetings' start dates restricted to stated facts returns nothing ...
    query = """
        SELECT ?m ?date ?layer WHERE {
            GRAPH ?g { ?m schema:startDate ?date } ?g bkg:layer ?layer . ?m a bkg:Meeting .
            %s
        }"""
    assert cq(query % "FILTER (?layer = epi:stated)") == []
    # ... while over all layers the full dates are there, all of them inferred.
    assert {(r["m"], r["date"], slug(r["layer"])) for r in cq(query % "")} == {
        (M1, "2024-03-08", "inferred"),
        (M2, "2024-03-06", "inferred"),
    }

    # 2024 [I], with its reason and evidence ("in 2024", and the January report on 2023).
    inferred = cq("""
        SELECT ?m ?edtf ?reason ?exact WHERE {
            GRAPH ?g {
                ?a a bkg:Assertion ; rdf:subject ?m ; rdf:predicate schema:startDate ;
                   bkg:edtfDate ?edtf ; bkg:epistemicStatus epi:inferred ; bkg:reason ?reason ;
                   prov:wasDerivedFrom ?span .
            }
            ?g bkg:layer epi:inferred . ?m a bkg:Meeting .
            ?span oa:hasSelector/oa:exact ?exact .
        }""")
    assert {(r["m"], r["edtf"]) for r in inferred} == {(M1, "2024?-03-08"), (M2, "2024?-03-06")}
    assert {r["exact"] for r in inferred} == {
        "These factors have led to increased employment quotas in 2024",
        "According to a January report by the labour ministry, in 2023",
    }
    for r in inferred:
        assert r["reason"].startswith("The article gives no year.")
        assert '"in 2024"' in r["reason"] and "2023" in r["reason"]
    years = cq("""
        SELECT DISTINCT ?year ?layer WHERE {
            GRAPH ?g { ?m time:hasTime/time:inDateTime/time:year ?year }
            ?g bkg:layer ?layer . ?m a bkg:Meeting .
        }""")
    assert [(r["year"], slug(r["layer"])) for r in years] == [("2024", "inferred")]


def test_cq06_what_heng_sour_asked_of_or_proposed_to_lee_jung_sik(cq) -> None:
    """What did Heng Sour ask of, or propose to, Lee Jung-sik?"""
    rows = cq("""
        SELECT ?act ?cls ?status ?summary ?occasion ?layer WHERE {
            GRAPH ?g {
                ?act a ?cls ; bkg:actor person:heng-sour ; bkg:addressee person:lee-jung-sik ;
                     bkg:status ?status ; bkg:summary ?summary ; bkg:occasion ?occasion .
            }
            ?g bkg:layer ?layer .
            FILTER (?cls IN (bkg:Request, bkg:Proposal))
        }""")
    acts = {
        slug(r["act"]): (slug(r["cls"]), slug(r["status"]), r["summary"], slug(r["layer"]))
        for r in rows
    }
    assert len(rows) == len(acts) == 4
    assert {r["occasion"] for r in rows} == {M1}
    assert acts == {
        "sour-asks-expand-skilled-workers-programme": (
            "Request",
            "requested",
            "expand the skilled workers programme",
            "stated",
        ),
        "sour-asks-examine-kosha-comwel-nssf": (
            "Request",
            "requested",
            "examine the possibility of increasing cooperation between KOSHA and the Korean "
            "Workers’ Composition and Welfare Service Unit with the National Social Security "
            "Fund (NSSF)",
            "stated",
        ),
        "sour-asks-examine-keis-nea": (
            "Request",
            "requested",
            "examine the possibility of increasing cooperation between the Korean Employment "
            "Information Service Unit and Cambodia’s National Employment Agency (NEA)",
            "stated",
        ),
        "sour-proposes-tvet-assistance": (
            "Proposal",
            "proposed",
            "additional vocational education and training assistance",
            "stated",
        ),
    }
    objects = cq("""
        SELECT ?act ?role ?x WHERE {
            ?act bkg:actor person:heng-sour ; bkg:addressee person:lee-jung-sik ; ?role ?x .
            FILTER (?role IN (bkg:partner, bkg:concerns))
        }""")
    what: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in objects:
        what[slug(r["act"])].add((slug(r["role"]), slug(r["x"])))
    assert dict(what) == {
        "sour-asks-expand-skilled-workers-programme": {("concerns", "skilled-workers-programme")},
        "sour-asks-examine-kosha-comwel-nssf": {
            ("partner", "kosha"),
            ("partner", "comwel"),
            ("partner", "nssf"),
        },
        "sour-asks-examine-keis-nea": {("partner", "keis"), ("partner", "nea")},
    }


def test_cq07_cambodian_and_korean_agencies_linked_with_status(cq) -> None:
    """Which Cambodian agencies are linked to which Korean agencies, and with what status?"""
    rows = cq("""
        SELECT DISTINCT ?kh ?kr ?act ?status ?actor WHERE {
            GRAPH ?d {
                ?link a bkg:DerivedLink ; rdf:predicate bkg:namedAsPartnerWith ;
                      rdf:subject ?s ; rdf:object ?o ;
                      prov:wasDerivedFrom ?act ; bkg:epistemicStatus epi:derived .
                ?kh bkg:namedAsPartnerWith ?kr .
            }
            ?d bkg:layer epi:derived .
            FILTER ((?s = ?kh && ?o = ?kr) || (?s = ?kr && ?o = ?kh))
            ?kh a org:Organization ; bkg:country place:cambodia .
            ?kr a org:Organization ; bkg:country place:south-korea .
            ?act bkg:status ?status ; bkg:actor ?actor .
        }""")
    assert {
        (slug(r["kh"]), slug(r["kr"]), slug(r["act"]), slug(r["status"]), slug(r["actor"]))
        for r in rows
    } == {
        ("nssf", "kosha", "sour-asks-examine-kosha-comwel-nssf", "requested", "heng-sour"),
        ("nssf", "comwel", "sour-asks-examine-kosha-comwel-nssf", "requested", "heng-sour"),
        ("nea", "keis", "sour-asks-examine-keis-nea", "requested", "heng-sour"),
    }

    # No agency proposed (or did) anything itself ...
    acted = cq("""
        SELECT ?act WHERE {
            VALUES ?x { orgn:nssf orgn:nea orgn:kosha orgn:comwel orgn:keis }
            ?act a bkg:CooperationAct ; bkg:actor ?x
        }""")
    assert acted == []
    # ... and no other act (no Korean answer) involves these agencies: only the two requests.
    involved = cq("""
        SELECT DISTINCT ?act ?role WHERE {
            VALUES ?x { orgn:nssf orgn:nea orgn:kosha orgn:comwel orgn:keis }
            ?act a bkg:CooperationAct ; ?role ?x
        }""")
    assert {(slug(r["act"]), slug(r["role"])) for r in involved} == {
        ("sour-asks-examine-kosha-comwel-nssf", "partner"),
        ("sour-asks-examine-keis-nea", "partner"),
    }


def test_cq08_what_the_governor_agreed_to_and_what_is_under_examination(cq) -> None:
    """What did the Gyeongsangbuk-do governor agree to, and what is only under examination?"""
    rows = cq("""
        SELECT ?act ?cls ?status ?summary ?layer ?occasion ?according WHERE {
            GRAPH ?g {
                ?act bkg:actor person:lee-cheol-woo ; a ?cls ; bkg:status ?status ;
                     bkg:summary ?summary .
                OPTIONAL { ?act bkg:occasion ?occasion }
                OPTIONAL { ?act prov:wasAttributedTo ?according }
            }
            ?g bkg:layer ?layer .
            FILTER (?cls IN (bkg:Agreement, bkg:Examination))
        }""")
    assert {
        (
            slug(r["cls"]),
            slug(r["status"]),
            r["summary"],
            slug(r["layer"]),
            r["occasion"],
            slug(r["according"]),
        )
        for r in rows
    } == {
        (
            "Agreement",
            "agreed",
            "cooperate more closely to develop the employment sector",
            "stated",
            M2,
            None,
        ),
        (
            "Agreement",
            "agreed",
            "strengthening solidarity between the two countries",
            "stated",
            M2,
            None,
        ),
        (
            "Examination",
            "under-examination",
            "providing equipment for vocational training institutions",
            "stated",
            None,
            "mlvt",  # "According to the labour ministry"
        ),
        ("Examination", "under-examination", "the exchange of technology", "stated", None, "mlvt"),
        (
            "Examination",
            "under-examination",
            "the provision of fire trucks and ambulances",
            "stated",
            None,
            "mlvt",
        ),
    }
    assert len(rows) == 5

    # The agreements are with Sour; the solidarity one names the two countries.
    parties = cq("""
        SELECT ?act ?role ?x WHERE {
            ?act a bkg:Agreement ; bkg:actor person:lee-cheol-woo ; ?role ?x .
            FILTER (?role IN (bkg:actor, bkg:partner))
        }""")
    by_act: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in parties:
        by_act[slug(r["act"])].add((slug(r["role"]), slug(r["x"])))
    assert dict(by_act) == {
        "sour-governor-agree-employment-sector": {
            ("actor", "heng-sour"),
            ("actor", "lee-cheol-woo"),
        },
        "sour-governor-agree-solidarity": {
            ("actor", "heng-sour"),
            ("actor", "lee-cheol-woo"),
            ("partner", "cambodia"),
            ("partner", "south-korea"),
        },
    }
    # Who would receive the examined items is not stated: no beneficiary, addressee or partner.
    receivers = cq("""
        SELECT ?act ?x WHERE {
            ?act a bkg:Examination ; bkg:beneficiary|bkg:addressee|bkg:partner ?x
        }""")
    assert receivers == []


def test_cq09_what_the_korean_side_committed_to(cq) -> None:
    """What did the Korean side commit to?"""
    rows = cq("""
        SELECT ?act ?actor ?summary ?motive ?layer WHERE {
            GRAPH ?g {
                ?act a bkg:Pledge ; bkg:actor ?actor ; bkg:status status:pledged ;
                     bkg:summary ?summary .
                OPTIONAL { ?act bkg:motive ?motive }
            }
            ?g bkg:layer ?layer .
        }""")
    assert {
        (slug(r["act"]), slug(r["actor"]), r["summary"], r["motive"], slug(r["layer"]))
        for r in rows
    } == {
        (
            "korea-intends-more-employment-opportunities",
            "south-korea",
            "provide more employment opportunities",
            "the “excellent” work ethics and honesty of previous Cambodian workers",
            "stated",
        ),
        (
            "lee-pledges-employment-opportunities",
            "lee-jung-sik",
            "continue to provide employment opportunities to Cambodian workers",
            None,
            "stated",
        ),
        (
            "lee-pledges-cooperation-key-areas",
            "lee-jung-sik",
            "continue cooperation in key areas that will drive positive results for the "
            "governments of both nations",
            None,
            "stated",
        ),
    }
    # Intentions or pledges only: none of the Korean commitments is done.
    statuses = cq("""
        SELECT DISTINCT ?status WHERE {
            ?act a bkg:Pledge ; bkg:status ?status ;
                 bkg:actor ?a . VALUES ?a { place:south-korea person:lee-jung-sik }
        }""")
    assert [slug(r["status"]) for r in statuses] == ["pledged"]
    beneficiaries = cq("""
        SELECT ?act ?b WHERE {
            ?act a bkg:Pledge ; bkg:beneficiary ?b . FILTER (?b = group:cambodian-workers)
        }""")
    # S2 does not say for whom the Korean side's opportunities are; S8 does.
    assert {slug(r["act"]) for r in beneficiaries} == {"lee-pledges-employment-opportunities"}


def test_cq10_acts_grouped_by_status(cq) -> None:
    """Group the cooperation acts by status (agreed, pledged, requested, proposed, under
    examination, done)."""
    rows = cq("""
        SELECT ?act (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?s) AS ?status) WHERE {
            ?act a bkg:CooperationAct ; bkg:status ?s .
        }
        GROUP BY ?act""")
    assert all(r["n"] == 1 for r in rows), rows  # each act has exactly one status
    groups: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        groups[slug(r["status"])].add(slug(r["act"]))
    assert dict(groups) == {
        "agreed": {
            "cambodia-south-korea-agree-employment-training-protection",
            "sour-governor-agree-employment-sector",
            "sour-governor-agree-solidarity",
        },
        "pledged": {
            "korea-intends-more-employment-opportunities",
            "lee-pledges-employment-opportunities",
            "lee-pledges-cooperation-key-areas",
        },
        "requested": {
            "sour-asks-expand-skilled-workers-programme",
            "sour-asks-examine-kosha-comwel-nssf",
            "sour-asks-examine-keis-nea",
        },
        "proposed": {"sour-proposes-tvet-assistance"},
        "under-examination": {
            "governor-examines-training-equipment",
            "governor-examines-technology-exchange",
            "governor-examines-fire-trucks-ambulances",
        },
        "done": {"lee-commends-mlvt", "pav-sina-endorses-cooperation"},
    }
    # The statuses are the SKOS concepts of the status scheme.
    concepts = cq("""
        SELECT DISTINCT ?status ?label WHERE {
            ?act a bkg:CooperationAct ; bkg:status ?status .
            ?status a skos:Concept ; skos:inScheme status:scheme ; skos:prefLabel ?label .
        }""")
    assert len(concepts) == 6

    # Each act with its actor(s) and its evidence sentence, quoted exactly from the article.
    detail = cq("""
        SELECT ?act ?actor ?exact ?start ?end WHERE {
            ?act a bkg:CooperationAct ; bkg:actor ?actor ; prov:wasDerivedFrom ?span .
            ?span oa:hasSelector ?qs, ?ps . ?qs oa:exact ?exact .
            ?ps oa:start ?start ; oa:end ?end .
        }""")
    actors: dict[str, set[str]] = defaultdict(set)
    for r in detail:
        actors[slug(r["act"])].add(slug(r["actor"]))
        assert ARTICLE[r["start"] : r["end"]] == r["exact"]
    assert set(actors) == {a for acts in groups.values() for a in acts}
    assert actors["cambodia-south-korea-agree-employment-training-protection"] == {
        "cambodia",
        "south-korea",
    }
    assert actors["pav-sina-endorses-cooperation"] == {"pav-sina"}
    assert actors["lee-commends-mlvt"] == {"lee-jung-sik"}


def test_cq11_statements_of_heng_sour_and_where(cq) -> None:
    """Which statements did Heng Sour make, and where?"""
    rows = cq("""
        SELECT ?s ?cls ?text ?occasion ?layer WHERE {
            GRAPH ?g {
                ?s bkg:speaker person:heng-sour ; a ?cls ; schema:text ?text .
                OPTIONAL { ?s bkg:occasion ?occasion }
            }
            ?g bkg:layer ?layer .
            FILTER (?cls IN (bkg:Quotation, bkg:Paraphrase))
        }""")
    assert len(rows) == 1
    (quote,) = rows
    assert slug(quote["s"]) == "sour-quote-eps-incomes-skills"
    assert slug(quote["cls"]) == "Quotation"
    assert slug(quote["layer"]) == "stated"
    # Where: the article does not say the quotation was said at the Seoul meeting.
    assert quote["occasion"] is None
    assert quote["text"] == (
        "Through this system, the Kingdom’s workers can earn incomes that can support their "
        "families. At the same time, they gain experience and skills in key areas that they can "
        "use to strengthen and develop Cambodia after they return home"
    )
    # Plus the reported requests and the proposal, at the same meeting.
    reported = cq(
        """
        SELECT ?m ?act ?cls WHERE {
            ?act bkg:actor person:heng-sour ; bkg:occasion ?m ; a ?cls .
            FILTER (?cls IN (bkg:Request, bkg:Proposal))
        }""",
        m=NamedNode(M1),
    )
    assert Counter(slug(r["cls"]) for r in reported) == {"Request": 3, "Proposal": 1}


def test_cq12_exact_source_text_and_offsets_for_fire_trucks(cq) -> None:
    """Give the exact source text and character offsets for the fire trucks and ambulances."""
    rows = cq("""
        SELECT ?span ?src ?exact ?start ?end ?text ?substr WHERE {
            act:governor-examines-fire-trucks-ambulances prov:wasDerivedFrom ?span .
            ?span a oa:SpecificResource ; oa:hasSource ?src ; oa:hasSelector ?qs, ?ps .
            ?qs a oa:TextQuoteSelector ; oa:exact ?exact .
            ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
            ?src schema:text ?text .
            BIND (SUBSTR(STR(?text), ?start + 1, ?end - ?start) AS ?substr)
        }""")
    assert len(rows) == 1
    (span,) = rows
    assert span["src"] == SOURCE
    assert (span["start"], span["end"]) == (FIRE_TRUCKS_START, FIRE_TRUCKS_END)
    assert span["exact"] == FIRE_TRUCKS
    assert span["text"][span["start"] : span["end"]] == FIRE_TRUCKS
    assert span["substr"] == FIRE_TRUCKS  # SPARQL agrees (SUBSTR is 1-based)
    assert ARTICLE[FIRE_TRUCKS_START:FIRE_TRUCKS_END] == FIRE_TRUCKS
    assert span["span"].endswith(f"/{FIRE_TRUCKS_START}-{FIRE_TRUCKS_END}")


def test_cq13_inferred_facts_and_their_reasons(cq) -> None:
    """Which facts are inferred rather than stated, and why?"""
    rows = cq("""
        SELECT ?fact ?s ?p ?o ?reason WHERE {
            GRAPH ?g {
                ?fact bkg:epistemicStatus epi:inferred ; bkg:reason ?reason .
                OPTIONAL { ?fact rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
                OPTIONAL { ?fact oa:hasBody ?o }
            }
            ?g bkg:layer epi:inferred .
        }""")
    # (subject, predicate, object) of inferred assertions; ("mention", body) of inferred mentions
    reasons = {
        (slug(r["s"]), slug(r["p"]), slug(r["o"])) if r["s"] else ("mention", slug(r["o"])): (
            r["reason"]
        )
        for r in rows
    }
    expected = {
        # the year 2024 of the dates
        ("meeting-heng-sour-lee-jung-sik-march-8", "startDate", "2024-03-08"),
        ("meeting-heng-sour-lee-cheol-woo-march-6", "startDate", "2024-03-06"),
        ("mlvt-post-march-10", "dateCreated", "2024-03-10"),
        ("mlvt-report-january", "dateCreated", "2024-01"),
        # "the labour ministry" = MLVT, and the minister's post is in MLVT
        ("mention", "mlvt"),
        ("minister-of-labour-and-vocational-training", "postIn", "mlvt"),
        # Lee Jung-sik's title and ministry
        ("lee-jung-sik", "holds", "minister-of-employment-and-labor"),
        ("minister-of-employment-and-labor", "postIn", "moel"),
        # the garbled agency names = COMWEL, KEIS
        ("mention", "comwel"),
        ("mention", "keis"),
        # the union is Cambodian
        ("cumw", "country", "cambodia"),
    }
    assert expected <= set(reasons), expected - set(reasons)
    assert "garbling" in reasons[("mention", "comwel")]
    assert "Ministry of Labour and Vocational Training (MLVT)" in reasons[("mention", "mlvt")]
    assert (
        "gives no title" in reasons[("lee-jung-sik", "holds", "minister-of-employment-and-labor")]
    )
    assert "does not say whose union" in reasons[("cumw", "country", "cambodia")]
    for fact in expected:
        if fact[1] in ("startDate", "dateCreated"):
            assert reasons[fact].startswith("The article gives no year."), fact

    # Every inferred fact carries its reason, and the layers do not mix.
    unreasoned = cq("""
        SELECT ?fact WHERE {
            GRAPH ?g {
                ?fact bkg:epistemicStatus epi:inferred
                FILTER NOT EXISTS { ?fact bkg:reason ?r }
            }
        }""")
    assert unreasoned == []
    misplaced = cq("""
        SELECT ?fact ?status ?layer WHERE {
            GRAPH ?g { ?fact bkg:epistemicStatus ?status } ?g bkg:layer ?layer .
            FILTER (?status IN (epi:stated, epi:inferred, epi:derived) && ?status != ?layer)
        }""")
    assert misplaced == []
    # A query restricted to stated facts returns none of them.
    stated = cq("""
        SELECT ?x WHERE {
            GRAPH ?g {
                { person:lee-jung-sik org:holds ?x } UNION { orgn:cumw bkg:country ?x }
                UNION { ?m a oa:Annotation ; oa:hasBody ?x
                        FILTER (?x IN (orgn:mlvt, orgn:comwel, orgn:keis)) }
                UNION { ?x bkg:epistemicStatus epi:inferred }
            }
            ?g bkg:layer epi:stated .
        }""")
    assert stated == []


def test_cq14_cambodian_workers_in_south_korea_2023_by_sex(cq) -> None:
    """How many Cambodian workers were in South Korea in 2023, by sex, according to whom?"""
    rows = cq("""
        SELECT ?obs ?sex ?value ?unit ?layer ?according ?author ?reason WHERE {
            GRAPH ?g {
                ?obs a qb:Observation ; sdmxd:refPeriod ?period ; sdmxd:sex ?sex ;
                     sdmxm:obsValue ?value ; bkg:unit ?unit ;
                     bkg:originCountry place:cambodia ; bkg:destinationCountry place:south-korea .
                OPTIONAL { ?obs bkg:reason ?reason }
            }
            ?g bkg:layer ?layer .
            OPTIONAL {
                ?obs prov:hadPrimarySource ?according .
                ?according a schema:Report ; schema:author/rdfs:label ?author .
            }
            FILTER (STR(?period) = "2023")
        }""")
    assert {
        (slug(r["sex"]), r["value"], r["unit"], slug(r["layer"]), slug(r["according"]), r["author"])
        for r in rows
    } == {
        (
            "sex-T",
            9778,
            "persons",
            "stated",
            "mlvt-report-january",
            "Ministry of Labour and Vocational Training",
        ),
        (
            "sex-F",
            2719,
            "persons",
            "stated",
            "mlvt-report-january",
            "Ministry of Labour and Vocational Training",
        ),
        ("sex-M", 7059, "persons", "derived", None, None),
        ("sex-F", 27.8, "percent of total", "derived", None, None),
    }
    reasons = {r["reason"] for r in rows if r["reason"]}
    assert reasons == {
        "7,059 = 9,778 (total) − 2,719 (women)",
        "27.8% = 2,719 (women) / 9,778 (total)",
    }
    # The derived figures point back to the two stated ones.
    inputs = cq("""
        SELECT ?derived ?input WHERE {
            GRAPH ?g { ?derived a qb:Observation ; prov:wasDerivedFrom ?input }
            ?g bkg:layer epi:derived .
        }""")
    assert {slug(r["input"]) for r in inputs} == {
        "cambodians-working-in-south-korea-2023-total",
        "cambodians-working-in-south-korea-2023-women",
    }
    assert len(inputs) == 4
    # The January report: by the labour ministry, about 2023 (month stated, year inferred).
    report = cq("""
        SELECT ?created ?coverage ?layer WHERE {
            GRAPH ?g { doc:mlvt-report-january schema:dateCreated|bkg:edtfDate ?created .
                       OPTIONAL { doc:mlvt-report-january schema:temporalCoverage ?coverage } }
            ?g bkg:layer ?layer .
        }""")
    assert {(r["created"], r["coverage"], slug(r["layer"])) for r in report} == {
        ("XXXX-01", "2023", "stated"),
        ("2024-01", None, "inferred"),
    }
    # The stated layer alone has no count of men.
    men = cq("""
        SELECT ?obs WHERE { GRAPH ?g { ?obs sdmxd:sex sdmxc:sex-M } ?g bkg:layer epi:stated }""")
    assert men == []


def test_cq15_when_the_employment_permit_system_began(cq) -> None:
    """When did the Employment Permit System begin?"""
    rows = cq("""
        SELECT ?date ?type ?layer WHERE {
            GRAPH ?g { prog:eps schema:startDate ?date } ?g bkg:layer ?layer .
            BIND (DATATYPE(?date) AS ?type)
        }""")
    assert [(r["date"], slug(r["type"]), slug(r["layer"])) for r in rows] == [
        ("2006", "gYear", "stated")
    ]
    claim = cq("""
        SELECT ?exact ?src WHERE {
            ?a a bkg:Assertion ; rdf:subject prog:eps ; rdf:predicate schema:startDate ;
               prov:wasDerivedFrom ?span .
            ?span oa:hasSource ?src ; oa:hasSelector/oa:exact ?exact .
        }""")
    assert claim == [
        {"exact": "the Employment Permit System (EPS), which began in 2006.", "src": SOURCE}
    ]


def test_cq16_shortest_chain_from_nssf_to_kosha(cq) -> None:
    """What is the shortest chain linking NSSF to KOSHA?"""
    # Two hops through the act node: the request by Heng Sour at the Seoul meeting.
    chain = cq("""
        SELECT ?act ?cls ?actor ?m ?place ?layer WHERE {
            GRAPH ?g { ?act bkg:partner orgn:nssf, orgn:kosha ; a ?cls ; bkg:actor ?actor ;
                            bkg:occasion ?m }
            ?g bkg:layer ?layer .
            ?m schema:location/rdfs:label ?place .
            FILTER (?cls = bkg:Request)
        }""")
    assert [
        (slug(r["act"]), slug(r["actor"]), r["m"], r["place"], slug(r["layer"])) for r in chain
    ] == [("sour-asks-examine-kosha-comwel-nssf", "heng-sour", M1, "Seoul", "stated")]
    # No direct edge between them except in the derived layer.
    direct = cq("""
        SELECT ?p ?layer WHERE {
            GRAPH ?g { { orgn:nssf ?p orgn:kosha } UNION { orgn:kosha ?p orgn:nssf } }
            ?g bkg:layer ?layer .
        }""")
    assert {(slug(r["p"]), slug(r["layer"])) for r in direct} == {("namedAsPartnerWith", "derived")}
    # One hop in the derived agency-to-agency view, marked derived, pointing back to the act.
    link = cq("""
        SELECT ?link ?via ?reason WHERE {
            GRAPH ?g {
                ?link a bkg:DerivedLink ; rdf:predicate bkg:namedAsPartnerWith ;
                      rdf:subject orgn:kosha ; rdf:object orgn:nssf ;
                      bkg:epistemicStatus epi:derived ; prov:wasDerivedFrom ?via ;
                      bkg:reason ?reason .
            }
            ?g bkg:layer epi:derived .
        }""")
    assert len(link) == 1
    assert slug(link[0]["via"]) == "sour-asks-examine-kosha-comwel-nssf"
    assert "Neither is said to have asked" in link[0]["reason"]


def test_cq17_chain_from_nea_to_gyeongsangbuk_do_over_interactions(cq) -> None:
    """What is the shortest chain from NEA to Gyeongsangbuk-do over interactions only?"""
    chain = cq("""
        SELECT DISTINCT ?request ?sour ?meeting ?governor ?post ?government WHERE {
            ?request a bkg:Request ; bkg:partner orgn:nea ; bkg:actor ?sour .
            ?meeting a bkg:Meeting ; schema:attendee ?sour, ?governor .
            ?governor org:holds ?post .
            ?post org:postIn ?government .
            ?government schema:areaServed place:gyeongsangbuk-do .
            FILTER (?governor != ?sour)
        }""")
    assert [
        (
            slug(r["request"]),
            slug(r["sour"]),
            r["meeting"],
            slug(r["governor"]),
            slug(r["post"]),
            slug(r["government"]),
        )
        for r in chain
    ] == [
        (
            "sour-asks-examine-keis-nea",
            "heng-sour",
            M2,
            "lee-cheol-woo",
            "governor-of-gyeongsangbuk-do",
            "gyeongsangbuk-do-government",
        )
    ]
    # Every such chain runs through Heng Sour: Lee Cheol-woo interacts with no one else.
    others = cq("""
        SELECT DISTINCT ?x WHERE {
            { ?m a bkg:Meeting ; schema:attendee person:lee-cheol-woo, ?x }
            UNION { ?act a bkg:CooperationAct ; bkg:actor person:lee-cheol-woo ;
                         bkg:actor|bkg:addressee ?x }
            FILTER (?x != person:lee-cheol-woo)
        }""")
    assert [slug(r["x"]) for r in others] == ["heng-sour"]
    # NEA's only interaction is the request, by Heng Sour, addressed to Lee Jung-sik.
    nea = cq("""
        SELECT DISTINCT ?act ?who WHERE {
            ?act a bkg:CooperationAct ; bkg:partner orgn:nea ; bkg:actor|bkg:addressee ?who
        }""")
    assert {(slug(r["act"]), slug(r["who"])) for r in nea} == {
        ("sour-asks-examine-keis-nea", "heng-sour"),
        ("sour-asks-examine-keis-nea", "lee-jung-sik"),
    }
    # The place of the 6 March meeting is not part of any chain: no stated location.
    located = cq("""
        SELECT ?m ?where WHERE {
            GRAPH ?g { ?m schema:location ?where } ?g bkg:layer epi:stated . ?m a bkg:Meeting
        }""")
    assert M2 not in {r["m"] for r in located}
    # Over all edges a shorter, meaningless chain exists: both ends are in some country.
    by_country = cq("""
        SELECT ?c1 ?c2 WHERE {
            orgn:nea bkg:country ?c1 .
            ?c1 bkg:namedAsPartnerWith ?c2 .
            place:gyeongsangbuk-do schema:containedInPlace ?c2 .
        }""")
    assert [(slug(r["c1"]), slug(r["c2"])) for r in by_country] == [("cambodia", "south-korea")]


def test_cq18_most_acts_and_who_attended_both_meetings(cq) -> None:
    """Who initiated the most acts, and who attended both meetings?"""
    rows = cq("""
        SELECT ?actor (COUNT(DISTINCT ?act) AS ?n) WHERE {
            ?act a bkg:CooperationAct ; bkg:actor ?actor
        }
        GROUP BY ?actor ORDER BY DESC(?n) ?actor""")
    counts = {slug(r["actor"]): r["n"] for r in rows}
    assert counts == {
        "heng-sour": 6,  # 3 requests, 1 proposal, 2 agreements with the governor
        "lee-cheol-woo": 5,
        "lee-jung-sik": 3,
        "south-korea": 2,
        "cambodia": 1,
        "pav-sina": 1,
    }
    assert slug(rows[0]["actor"]) == "heng-sour"
    initiators = cq("""
        SELECT ?actor (COUNT(DISTINCT ?act) AS ?n) WHERE {
            ?act bkg:actor ?actor ; a ?cls . FILTER (?cls IN (bkg:Request, bkg:Proposal))
        }
        GROUP BY ?actor""")
    assert [(slug(r["actor"]), r["n"]) for r in initiators] == [("heng-sour", 4)]

    both = cq("""
        SELECT ?person (COUNT(DISTINCT ?m) AS ?n) WHERE {
            ?m a bkg:Meeting ; schema:attendee ?person
        }
        GROUP BY ?person HAVING (COUNT(DISTINCT ?m) = 2)""")
    assert [(slug(r["person"]), r["n"]) for r in both] == [("heng-sour", 2)]
