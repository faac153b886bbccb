"""Extraction dict → the named graph of one source (kg.rdf), on real extractor output."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from graph_support import ROOT, SEED

from kg import extract
from kg.bodies import with_province
from kg.identity import Identity
from kg.rdf import (
    doc_types_turtle,
    extraction_to_graph,
    extraction_to_quads,
    lit,
    relation_types_turtle,
)

GOLD = ROOT.parent / "shared" / "gold"


@pytest.fixture(scope="module")
def seed001():
    text = SEED["001"].read_text("utf-8")
    return text, extract(text, path=str(SEED["001"])).to_dict()


def _store(nquads: str) -> ox.Store:
    st = ox.Store()
    st.load(nquads, format=ox.RdfFormat.N_QUADS)
    return st


def test_one_named_graph_per_source_and_deterministic(seed001):
    text, ext = seed001
    a = extraction_to_graph(ext, "/x/001.txt", name="001.txt", text=text)
    b = extraction_to_graph(json.loads(json.dumps(ext)), "/x/001.txt", name="001.txt", text=text)
    assert a.nquads == b.nquads  # same input, same IRIs, same statements
    st = _store(a.nquads)
    assert [g.value for g in st.named_graphs()] == [a.graph]
    assert a.graph == Identity().graph("/x/001.txt")


def test_every_mention_becomes_a_citation_with_its_evidence(seed001):
    text, ext = seed001
    st = _store(extraction_to_graph(ext, "/x/001.txt", name="001.txt", text=text).nquads)
    rows = list(st.query("""PREFIX vn: <https://legalkg.org/ns#>
        SELECT ?m ?start ?end ?surface ?line ?ev WHERE { GRAPH ?g { ?m a vn:Citation ; vn:start ?start ; vn:end ?end ;
        vn:surface ?surface ; vn:line ?line ; vn:evidenceText ?ev ; vn:method ?meth } }"""))
    assert len(rows) == len(ext["mentions"])
    for r in rows:
        s, e = int(r["start"].value), int(r["end"].value)
        assert text[s:e] == r["surface"].value
        assert " ".join(r["surface"].value.split())[:20] in r["ev"].value


def test_local_bodies_are_labelled_with_their_province_once(seed001):
    # seed 001 is a Bình Định plan: its "Sở ..." and "Văn phòng Ủy ban nhân dân tỉnh" are that province's
    text, ext = seed001
    st = _store(extraction_to_graph(ext, "/x/001.txt", name="001.txt", text=text).nquads)
    labels = {r["l"].value for r in st.query("""PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?l WHERE { GRAPH ?g { ?b a org:Organization ; rdfs:label ?l } }""")}
    assert {"Sở Thông tin và Truyền thông tỉnh Bình Định", "Văn phòng Ủy ban nhân dân tỉnh Bình Định",
            "Ban Tuyên giáo Tỉnh ủy Bình Định"} <= labels
    assert not [lb for lb in labels if "tỉnh tỉnh" in lb or "Tỉnh ủy tỉnh" in lb]


@pytest.mark.parametrize(("name", "place", "label"), [
    ("Sở Tài chính", "tỉnh Bình Định", "Sở Tài chính tỉnh Bình Định"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "tỉnh Bình Định", "Văn phòng Ủy ban nhân dân tỉnh Bình Định"),
    ("Ban Tuyên giáo Tỉnh ủy", "tỉnh Kiên Giang", "Ban Tuyên giáo Tỉnh ủy Kiên Giang"),
    ("Thành ủy", "thành phố Hà Nội", "Thành ủy Hà Nội"),
    ("Công an tỉnh", "thành phố Hà Nội", "Công an thành phố Hà Nội"),
    ("Các sở, ban, ngành", "tỉnh Bình Định", "Các sở, ban, ngành tỉnh Bình Định"),
    # what issuers of local codes (/TU, -UBND) and bare header issuers become
    ("Tỉnh ủy", "tỉnh Bình Định", "Tỉnh ủy Bình Định"),
    ("Tỉnh ủy", "thành phố Hà Nội", "Thành ủy Hà Nội"),
    ("Ủy ban nhân dân", "tỉnh Bình Định", "Ủy ban nhân dân tỉnh Bình Định"),
    ("Ủy ban nhân dân thành phố", "thành phố Hà Nội", "Ủy ban nhân dân thành phố Hà Nội"),
    ("Ủy ban nhân dân các huyện, thị xã, thành phố", "tỉnh Bình Định",
     "Ủy ban nhân dân các huyện, thị xã, thành phố tỉnh Bình Định"),
    ("Ban Chỉ đạo Công tác thông tin đối ngoại", "thành phố Hà Nội", "Ban Chỉ đạo Công tác thông tin đối ngoại thành phố Hà Nội"),
])
def test_with_province(name, place, label):
    assert with_province(name, place) == label


def test_relations_are_direct_triples_with_eli_super_properties(seed001):
    text, ext = seed001
    st = _store(extraction_to_graph(ext, "/x/001.txt", name="001.txt", text=text).nquads)
    ask = """PREFIX vn: <https://legalkg.org/ns#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
             ASK { GRAPH ?g { ?a vn:implements ?b . ?a eli:ensures_implementation_of ?b } }"""
    assert st.query(ask)
    # every vn:implements is also written as eli:ensures_implementation_of, every vn:guides as eli:refers_to
    for own, sup in (("vn:implements", "eli:ensures_implementation_of"), ("vn:guides", "eli:refers_to"),
                     ("vn:replaces", "eli:repeals")):
        q = f"""PREFIX vn: <https://legalkg.org/ns#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
                ASK {{ GRAPH ?g {{ ?a {own} ?b FILTER NOT EXISTS {{ ?a {sup} ?b }} }} }}"""
        assert not st.query(q)
    n_links = len(list(st.query("PREFIX vn: <https://legalkg.org/ns#> "
                                "SELECT ?l WHERE { GRAPH ?g { ?l vn:relationType ?t "
                                 "FILTER(STRSTARTS(STR(?t), 'https://legalkg.org/ns/relation/') ) } }")))
    assert n_links >= len(ext["relations"])


def test_same_file_resolution_of_undated_recitations(seed001):
    # seed 001 cites "Kết luận 57-KL/TW" with its date once and without it later: one node for all
    text, ext = seed001
    st = _store(extraction_to_graph(ext, "/x/001.txt", name="001.txt", text=text).nquads)
    targets = {r["t"].value for r in st.query("""PREFIX vn: <https://legalkg.org/ns#>
        SELECT DISTINCT ?t WHERE { GRAPH ?g { ?m vn:statedKey "57-KL/TW" ; vn:refersTo ?t } }""")}
    assert targets == {Identity().document("57-KL/TW", date="2023-06-15").iri}


@pytest.mark.skipif(not GOLD.exists(), reason="the shared gold ../shared/gold is not beside this checkout")
@pytest.mark.parametrize("stem", ["000_1b58e81a9744f804", "001_00b89ad7e0118008", "004_47729b0b45449708"])
def test_gold_files_follow_the_contract_the_mapping_takes(stem):
    # the gold annotations are extraction dicts too (without offsets): they map without loss of relations
    gold = json.loads((GOLD / f"{stem}.json").read_text("utf-8"))
    g = extraction_to_graph(gold, f"/x/{stem}.txt", text=(ROOT / "data" / "samples" / f"{stem}.txt").read_text("utf-8"))
    st = _store(g.nquads)
    pairs = {(r["t"].value) for r in st.query(
        "PREFIX vn: <https://legalkg.org/ns#> SELECT ?t WHERE { GRAPH ?g { ?l vn:relationType ?t } }")}
    assert pairs and g.documents == len(gold["documents"])
    distinct_rel = {(r["from"], r["to"], r["type"]) for r in gold["relations"] if r["from"] != r["to"]}
    n = len(list(st.query("PREFIX vn: <https://legalkg.org/ns#> SELECT ?l WHERE { GRAPH ?g { ?l vn:relationType ?t "
                          "FILTER(?t NOT IN (<https://legalkg.org/ns/relation/issued_by>, "
                          "<https://legalkg.org/ns/relation/recipient>, "
                          "<https://legalkg.org/ns/relation/lead>, <https://legalkg.org/ns/relation/partner>)) } }")))
    assert n == len(distinct_rel)


def test_literals_are_escaped():
    nasty = 'a "quoted" \\ back\nslash\r\x01 end'
    st = ox.Store()
    st.load(f'<http://a> <http://b> {lit(nasty)} <http://g> .\n', format=ox.RdfFormat.N_QUADS)
    assert next(iter(st)).object.value == nasty
    quads = extraction_to_quads({"documents": [{"key": None, "type": "Công văn", "issuer": None, "date": None,
                                                "title": 'V/v "trích yếu"\n dòng 2', "first_line": 1}]},
                                "/x/y.txt", text='Trích yếu "x"\n')
    assert quads


def test_vocabularies_match_the_data_tables():
    onto = Path(ROOT / "ontology")
    assert (onto / "doc-types.ttl").read_text("utf-8") == doc_types_turtle(), \
        "regenerate: python -c 'from kg.rdf import write_vocabularies; write_vocabularies()'"
    assert (onto / "relation-types.ttl").read_text("utf-8") == relation_types_turtle()
    for f in ("legalkg.ttl", "doc-types.ttl", "relation-types.ttl", "shapes.ttl"):
        ox.Store().load(path=str(onto / f), format=ox.RdfFormat.TURTLE)
    st = ox.Store()
    st.load(path=str(onto / "doc-types.ttl"), format=ox.RdfFormat.TURTLE)
    notations = {r["n"].value for r in st.query("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                                                "SELECT ?n WHERE { ?c skos:notation ?n }")}
    assert {"NĐ", "QĐ", "KL", "KH", "TTr", "HD", "HĐ", "CTr", "ĐA"} <= notations
    for lang in ("vi", "en"):
        q = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c WHERE { ?c a skos:Concept "
             f"FILTER NOT EXISTS {{ ?c skos:prefLabel ?l FILTER(LANG(?l)='{lang}') }} }}")
        assert list(st.query(q)) == [], lang
