"""`legalkg export` and the networkx graph (the contract kg.render relies on)."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from graph_support import run_cli, seeds_build, seeds_store

from kg.export import export
from kg.network import EDGE_ATTRS, NODE_ATTRS, to_networkx

RELATIONS = {"based_on", "implements", "guides", "amends", "replaces", "repeals", "cites",
             "issued_by", "lead", "partner", "recipient"}


@pytest.fixture(scope="module")
def store():
    return seeds_store()


@pytest.fixture(scope="module")
def graph(store):
    return to_networkx(store)


def test_networkx_contract(graph):
    assert isinstance(graph, nx.MultiDiGraph)
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    assert kinds == {"document", "unresolved", "body"}
    for n, d in graph.nodes(data=True):
        assert set(NODE_ATTRS) <= set(d), n
        assert isinstance(d["files"], list) and (d["year"] is None or isinstance(d["year"], int))
        assert d["label"]
    for _, v, d in graph.edges(data=True):
        assert set(EDGE_ATTRS) <= set(d)
        assert d["relation"] in RELATIONS and d["file"] and d["method"]
        if d["relation"] in ("issued_by", "lead", "partner", "recipient"):
            assert graph.nodes[v]["kind"] == "body"
        else:
            assert graph.nodes[v]["kind"] in ("document", "unresolved")


def test_networkx_content(graph):
    by_key = {d["key"]: n for n, d in graph.nodes(data=True) if d["key"]}
    doc = graph.nodes[by_key["1486/QĐ-TTg"]]
    assert (doc["kind"], doc["type"], doc["type_code"], doc["issuer"], doc["date"], doc["year"]) == (
        "document", "Quyết định", "QĐ", "Thủ tướng Chính phủ", "2018-11-06", 2018)
    assert any("004_" in f for f in doc["files"]) and doc["excerpt"]
    kl = graph.nodes[by_key["57-KL/TW"]]
    assert kl["files"] and all("001_" in f for f in kl["files"]) and kl["excerpt"]  # cited only: citing files
    # 10023/UBND-KGVX implements 1486/QĐ-TTg, with the evidence line of seed 004
    edges = graph.get_edge_data(by_key["10023/UBND-KGVX"], by_key["1486/QĐ-TTg"])
    imp = [e for e in edges.values() if e["relation"] == "implements"]
    assert imp and imp[0]["line"] and "1486" in (imp[0]["evidence"] or "") and "004_" in imp[0]["file"]
    # analytics work on it
    chain = ("implements", "guides", "based_on")
    dg = nx.DiGraph((u, v) for u, v, d in graph.edges(data=True) if d["relation"] in chain)
    assert by_key["119/KH-UBND"] in nx.ancestors(dg, by_key["57-KL/TW"])


@pytest.mark.parametrize("fmt", ["ttl", "nq", "jsonld"])
def test_rdf_exports_round_trip(store, fmt):
    data = export(store, fmt)
    if fmt == "nq":
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        assert len(quads) == len(store)
        assert len({q.graph_name for q in quads}) == len(store.named_graphs())
    elif fmt == "ttl":
        g = rdflib.Graph().parse(data=data, format="turtle")
        triples = store.store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
                                    use_default_graph_as_union=True)
        assert len(g) == int(next(iter(triples))["n"].value)
    else:
        quads = list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
        assert len(quads) == len(store)
        assert {q.graph_name for q in quads} == {ox.NamedNode(g) for g in store.named_graphs()}


def test_network_exports(store, graph, tmp_path):
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        f = tmp_path / f"g.{fmt}"
        r = run_cli("export", "--format", fmt, "-o", str(f), "--store", seeds_build()[0])
        assert r.returncode == 0, r.stderr
        h = reader(f)
        assert h.number_of_nodes() == graph.number_of_nodes()
        assert h.number_of_edges() == graph.number_of_edges()
    r = run_cli("export", "-f", "csv", "-o", str(tmp_path / "net.csv"), "--store", seeds_build()[0])
    assert r.returncode == 0
    edges = list(csv.DictReader((tmp_path / "net.csv").open(encoding="utf-8")))
    nodes = list(csv.DictReader((tmp_path / "net.nodes.csv").open(encoding="utf-8")))
    assert len(edges) == graph.number_of_edges() and len(nodes) == graph.number_of_nodes()
    assert {e["relation"] for e in edges} <= RELATIONS
    out = run_cli("export", "-f", "csv", "--store", seeds_build()[0]).stdout
    assert len(list(csv.reader(io.StringIO(out)))) == graph.number_of_edges() + 1


def test_export_errors():
    r = run_cli("export", "-f", "ttl", "-o", "/proc/nope/x.ttl", "--store", seeds_build()[0])
    assert r.returncode == 1 and "cannot write" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("export", "-f", "xml", "--store", seeds_build()[0])
    assert r.returncode == 2


def test_json_ld_keeps_named_graphs(store):
    data = json.loads(export(store, "jsonld"))
    graph_ids = {x["@id"] for x in data if "@graph" in x}
    assert f"{store.base}graph/meta" in graph_ids
    assert sum(1 for g in graph_ids if g.endswith(".txt")) == 5
