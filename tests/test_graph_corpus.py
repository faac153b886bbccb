"""The graph of the 242-document dev corpus (../shared/corpus/docs.jsonl.gz), built once per session."""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter

import pytest
from graph_support import CORPUS, corpus_build, corpus_store, run_cli

from kg import query as Q
from kg.build import build
from kg.identity import lookup_form, parse_key, sparql_prefixes
from kg.network import to_networkx
from kg.trace import trace

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="dev corpus not beside this checkout")
P = sparql_prefixes()


@pytest.fixture(scope="module")
def store():
    return corpus_store()


@pytest.fixture(scope="module")
def corpus_rows():
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_every_corpus_document_is_a_named_graph(store, corpus_rows):
    _, report = corpus_build()
    assert report.failed == []
    assert len(report.added) == len(corpus_rows) == 242
    sources = store.sources()
    assert len(sources) == 242
    assert {k.rsplit("#", 1)[1] for k in sources} == {r["id"] for r in corpus_rows}


def test_documents_found_and_identified(store, corpus_rows):
    own = store.select(P + "SELECT ?d ?k WHERE { ?d vn:hasText ?s . OPTIONAL { ?d vn:key ?k } }")
    assert len({r["d"] for r in own}) >= 200
    # the number the corpus metadata gives each document is, for most of them, the key of a node with
    # its own text (the metadata is silver: some numbers were only in the file name)
    keys = {lookup_form(r["k"]) for r in own if r["k"]}
    meta = [lookup_form(r["number"]) for r in corpus_rows if r.get("number")]
    found = sum(1 for k in meta if k in keys)
    assert found >= 0.8 * len(meta), (found, len(meta))


def test_normative_numbers_are_one_node_each(store):
    rows = store.select(P + "SELECT DISTINCT ?n ?k WHERE { ?n a eli:LegalResource ; vn:lookupKey ?k }")
    per_key = Counter(r["k"] for r in rows if (parse_key(r["k"]) or None) and parse_key(r["k"]).system == "normative")
    dupes = {k: n for k, n in per_key.items() if n > 1}
    assert not dupes
    # and a document cited by many others is one node carrying all those citations
    top = store.select(P + """SELECT ?n (COUNT(DISTINCT ?src) AS ?files) WHERE {
        ?m vn:refersTo ?n ; vn:sourceFile ?src .
        ?n a eli:LegalResource } GROUP BY ?n ORDER BY DESC(?files) LIMIT 1""")
    assert int(top[0]["files"]) >= 10


def test_no_node_is_both_document_and_unresolved(store):
    both = store.select(P + "SELECT ?n WHERE { ?n a eli:LegalResource , vn:UnresolvedReference }")
    assert both == []


def test_every_shipped_question_runs_on_the_corpus(store):
    params = {"implementers": {"key": "57-KL/TW"}, "citers": {"key": "51/2024/QH15"}, "trace": {"key": "51/2024/QH15"},
              "provinces-not-implementing": {"key": "57-KL/TW"}, "based-on-chain": {"key": "145/2020/NĐ-CP"},
              "body-tasks": {"body": "Bộ Tài chính"}, "evidence": {"key": "51/2024/QH15"}}
    for name in Q.shipped():
        t = time.time()
        r = Q.run(store, name, params.get(name, {}))
        assert r.kind == "select"
        assert time.time() - t < 20, name
    assert Q.run(store, "review-queue", {}).rows
    assert Q.run(store, "evidence", {"key": "51/2024/QH15"}).rows
    assert Q.run(store, "most-cited", {"min": "3"}).rows
    assert Q.run(store, "missing-cited", {"min": "5"}).rows
    assert Q.run(store, "citers", {"key": "51/2024/QH15"}).rows


def test_trace_a_much_cited_law(store):
    roots = trace(store, "51/2024/QH15")
    assert roots and roots[0].key == "51/2024/QH15"
    assert roots[0].children  # decrees and circulars are based on it


def test_networkx_of_the_corpus(store):
    g = to_networkx(store)
    kinds = Counter(d["kind"] for _, d in g.nodes(data=True))
    assert kinds["document"] >= 400 and kinds["body"] >= 50 and kinds["unresolved"] >= 1
    rels = Counter(d["relation"] for *_, d in g.edges(data=True))
    assert rels["based_on"] >= 500 and rels["issued_by"] >= 200


def test_unchanged_corpus_rebuild_is_a_quick_no_op():
    d, _ = corpus_build()
    # (a first rebuild catches up if the code changed since the session's build: a code change is a
    # pipeline change and re-extracts everything, as it must)
    build([str(CORPUS)], store=d, progress=False)
    t = time.time()
    report = build([str(CORPUS)], store=d, progress=False)
    assert report.unchanged == 242 and report.changed == 0 and report.failed == []
    assert time.time() - t < 30


def test_corpus_graph_passes_the_shacl_shapes():
    r = run_cli("validate", "--store", corpus_build()[0], timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]


def test_corpus_exports(store, tmp_path):
    import networkx as nx
    import pyoxigraph as ox

    from kg.export import export

    nq = export(store, "nq")
    assert sum(1 for _ in ox.parse(nq, format=ox.RdfFormat.N_QUADS)) == len(store)
    export(store, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() == to_networkx(store).number_of_nodes()
