"""The interactive page, in Python: escaping, self-containment, filters, ego view, layout, CLI.

What the page does in a browser is tested in test_page_browser.py.
"""

from __future__ import annotations

import json
import math
import random
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from sample_graphs import HOSTILE_TITLE, built_sample_store, node_by_key, policy_graph, synthetic_graph

from kg.render import (
    PHYSICS_MAX_NODES,
    build_page_data,
    find_node,
    fold,
    layout_positions,
    render,
    render_html,
    select_subgraph,
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = dict(attrs).get("id") or f"code{sum(k.startswith('code') for k in self.scripts)}"
            self.scripts[self._in] = ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.scripts[self._in] += data


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def sample_store():
    return built_sample_store()


@pytest.fixture(scope="module")
def graph():
    return policy_graph()


@pytest.fixture(scope="module")
def page(graph, tmp_path_factory):
    out = render(graph, tmp_path_factory.mktemp("page") / "graph.html", title="Đồ thị <b>thử</b>")
    return out.read_bytes().decode("utf-8")  # strict: the file must be valid UTF-8


def test_document_text_never_becomes_markup(page):
    assert "<script>window.__xss" not in page
    assert "<img src=x" not in page
    parsed = _parse(page)
    tags = [t for t, _ in parsed.tags]
    # Only the page's own elements: six JSON blocks and two code blocks, no <img>, no <b> from the title.
    assert tags.count("script") == 8
    assert "img" not in tags and "b" not in tags
    info = json.loads(parsed.scripts["data-info"])
    assert HOSTILE_TITLE in [i.get("title") for i in info]
    assert "<title>Đồ thị &lt;b&gt;thử&lt;/b&gt;</title>" in page
    # The page's own script (after vis-network) writes document text with textContent only.
    assert "textContent" in parsed.scripts["code1"]
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", parsed.scripts["code1"])


def test_page_is_self_contained(page):
    assert not re.search(r"""(?:src|href|action|poster)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<link\b|@import|url\(\s*['\"]?(?:https?:)?//", page, re.I)
    assert "sourceMappingURL" not in page
    parsed = _parse(page)
    assert all("src" not in attrs for tag, attrs in parsed.tags if tag == "script")
    # vis-network is inlined (with its licence header), and a CSP forbids fetching anything.
    assert "@license" in page and "vis-network" in page and "new vis.Network" in page
    csp = [a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "connect-src 'none'" in csp[0]
    assert '<meta charset="utf-8">' in page
    assert "Quyết định" in page  # NFC text, not escapes


def test_page_data_matches_graph(graph, page):
    parsed = _parse(page)
    nodes = json.loads(parsed.scripts["data-nodes"])
    info = json.loads(parsed.scripts["data-info"])
    edges = json.loads(parsed.scripts["data-edges"])
    edge_info = json.loads(parsed.scripts["data-edge-info"])
    assert len(nodes) == len(info) == graph.number_of_nodes()
    assert {i["iri"] for i in info} == set(graph.nodes)
    # The two mentions of 72/2015/NĐ-CP in 119/KH-UBND (Bình Định) are one drawn edge keeping both lines.
    iris = [i["iri"] for i in info]
    src = iris.index(node_by_key(graph, "119/KH-UBND", "Ủy ban nhân dân tỉnh Bình Định"))
    dst = iris.index(node_by_key(graph, "72/2015/NĐ-CP"))
    merged = [j for j, e in enumerate(edges) if (e["from"], e["to"], e["rel"]) == (src, dst, "based_on")]
    assert len(merged) == 1
    assert edge_info[merged[0]]["n"] == 2
    assert sorted(ev[1] for ev in edge_info[merged[0]]["ev"]) == [5, 40]
    assert len(edges) == graph.number_of_edges() - 1
    # Unresolved documents get the hollow style of their type; bodies their own group.
    groups = {i["iri"]: n["group"] for i, n in zip(info, nodes, strict=True)}
    assert groups[node_by_key(graph, "72/2015/NĐ-CP")] == "~Nghị định"
    assert groups[node_by_key(graph, "57-KL/TW")] == "Kết luận"
    assert groups[next(n for n, a in graph.nodes(data=True) if a["label"] == "Chính phủ")] == "Cơ quan"


def test_fold_matches_search_rule():
    assert fold("Quyết định số 1486/QĐ-TTg") == "quyet dinh so 1486 qd ttg"
    assert fold("Đà Nẵng") == fold("da nang") == "da nang"
    assert fold(None) == ""


def test_find_node(graph):
    assert find_node(graph, "1486/QD-TTg") == node_by_key(graph, "1486/QĐ-TTg")
    assert find_node(graph, "57-kl/tw") == node_by_key(graph, "57-KL/TW")
    assert graph.nodes[find_node(graph, "Bo Chinh tri")]["kind"] == "body"
    with pytest.raises(ValueError, match="ambiguous"):
        find_node(graph, "119/KH-UBND")
    with pytest.raises(KeyError):
        find_node(graph, "999/QĐ-XYZ")


def _keys(g):
    return sorted(a["key"] for _, a in g.nodes(data=True) if a["kind"] != "body")


def _bodies(g):
    return sorted(a["label"] for _, a in g.nodes(data=True) if a["kind"] == "body")


def test_type_filter_by_name_or_code(graph):
    by_code = select_subgraph(graph, types=["QĐ"])
    assert _keys(by_code) == ["1486/QĐ-TTg"]
    assert _bodies(by_code) == ["Thủ tướng Chính phủ"]
    assert _keys(select_subgraph(graph, types=["quyet dinh"])) == ["1486/QĐ-TTg"]
    plans = select_subgraph(graph, types=["Kế hoạch"])
    assert _keys(plans) == ["119/KH-UBND", "119/KH-UBND"]
    assert _bodies(plans) == ["Chính phủ", "Sở Thông tin và Truyền thông tỉnh Bình Định",
                              "Ủy ban nhân dân thành phố Đà Nẵng", "Ủy ban nhân dân tỉnh Bình Định"]
    assert plans.number_of_edges() == 4  # issued_by ×2, lead, recipient; nothing to filtered-out documents


def test_issuer_year_and_relation_filters(graph):
    bd = select_subgraph(graph, issuers=["binh dinh"])
    assert [a["issuer"] for _, a in bd.nodes(data=True) if a["kind"] != "body"] == ["Ủy ban nhân dân tỉnh Bình Định"]
    recent = select_subgraph(graph, since=2020)
    assert _keys(recent) == ["119/KH-UBND", "119/KH-UBND", "47/NQ-CP", "57-KL/TW"]
    impl = select_subgraph(graph, relations=["implements"])
    assert {a["relation"] for *_, a in impl.edges(data=True)} == {"implements"}
    assert impl.number_of_edges() == 4
    assert _bodies(impl) == []  # no body link survives, so no body is drawn
    with pytest.raises(ValueError, match="unknown relation"):
        select_subgraph(graph, relations=["cites", "quotes"])


def test_ego_view_hops_through_documents_not_bodies(graph):
    center = node_by_key(graph, "119/KH-UBND", "Ủy ban nhân dân tỉnh Bình Định")
    one = select_subgraph(graph, center=center, radius=1)
    # 47/NQ-CP shares the body "Chính phủ" with it but is also one citation away; 1486/QĐ-TTg only via bodies.
    assert _keys(one) == ["119/KH-UBND", "47/NQ-CP", "72/2015/NĐ-CP"]
    assert _bodies(one) == ["Chính phủ", "Sở Thông tin và Truyền thông tỉnh Bình Định",
                            "Ủy ban nhân dân tỉnh Bình Định"]
    two = select_subgraph(graph, center=center, radius=2)
    assert _keys(two) == ["119/KH-UBND", "1486/QĐ-TTg", "22/2016/TT-BTTTT", "47/NQ-CP", "57-KL/TW", "72/2015/NĐ-CP"]
    zero = select_subgraph(graph, center=center, radius=0)
    assert _keys(zero) == ["119/KH-UBND"]
    # The centre survives filters that would drop it; its neighbours do not.
    assert _keys(select_subgraph(graph, center=center, radius=1, types=["NQ"])) == ["119/KH-UBND", "47/NQ-CP"]


def test_ego_view_matches_networkx_on_a_big_graph():
    import networkx as nx

    g = synthetic_graph(1500, seed=3)
    docs = [n for n, a in g.nodes(data=True) if a["kind"] != "body"]
    doc_graph = nx.Graph()
    doc_graph.add_nodes_from(docs)
    doc_graph.add_edges_from((u, v) for u, v, a in g.edges(data=True)
                             if g.nodes[u]["kind"] != "body" and g.nodes[v]["kind"] != "body")
    for center in random.Random(1).sample(docs, 5):
        want = set(nx.single_source_shortest_path_length(doc_graph, center, cutoff=2))
        got = {n for n, a in select_subgraph(g, center=center, radius=2).nodes(data=True) if a["kind"] != "body"}
        assert got == want


def test_layout_places_linked_nodes_closer():
    g = synthetic_graph(800, seed=5)
    pos = layout_positions(g)
    assert set(pos) == set(g.nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert len(set(pos.values())) > 0.97 * len(pos)  # hardly any two nodes on the same pixel
    rng = random.Random(0)
    nodes = list(g.nodes)

    def dist(a, b):
        return math.dist(pos[a], pos[b])

    linked = sum(dist(u, v) for u, v in g.edges()) / g.number_of_edges()
    anyhow = sum(dist(*rng.sample(nodes, 2)) for _ in range(3000)) / 3000
    assert linked < 0.7 * anyhow


def test_physics_only_for_small_graphs(graph):
    small = build_page_data(graph)
    assert small["meta"]["physics"] and small["options"]["physics"]["enabled"]
    big = build_page_data(synthetic_graph(PHYSICS_MAX_NODES + 200))
    assert not big["meta"]["physics"] and not big["options"]["physics"]["enabled"]
    assert all("x" in n and "y" in n for n in big["nodes"])
    assert big["options"]["layout"]["improvedLayout"] is False


def test_empty_selection_is_a_clear_error(graph, tmp_path):
    with pytest.raises(ValueError, match="nothing to draw"):
        render(graph, tmp_path / "x.html", since=2100)
    assert not (tmp_path / "x.html").exists()


def test_render_html_handles_missing_attributes():
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_node("urn:a", kind="document")  # nothing else known
    g.add_node("urn:b")
    g.add_edge("urn:a", "urn:b")
    html = render_html(g)
    info = json.loads(_parse(html).scripts["data-info"])
    assert [i["label"] for i in info] == ["?", "?"]


# ----------------------------------------------------------------------------- the CLI on a built store


def test_cli_render_on_the_samples(sample_store, tmp_path):
    from cli import main
    from kg.network import to_networkx
    from kg.store import open_store

    out = tmp_path / "kl57.html"
    res = CliRunner().invoke(main, ["render", "--store", str(sample_store), "-o", str(out), "--center", "57-kl/tw",
                                    "--radius", "2"])
    assert res.exit_code == 0, res.output
    g = to_networkx(open_store(sample_store))
    want = select_subgraph(g, center="57-KL/TW", radius=2)
    info = json.loads(_parse(out.read_text(encoding="utf-8")).scripts["data-info"])
    assert {i["iri"] for i in info} == set(want.nodes)
    assert any(i.get("key") == "57-KL/TW" for i in info)
    meta = json.loads(_parse(out.read_text(encoding="utf-8")).scripts["data-meta"])
    assert info[meta["center"]]["key"] == "57-KL/TW"


@pytest.mark.parametrize("args, message", [
    (["--center", "999/QĐ-XYZ"], "no document or body matches"),
    (["--relation", "quotes"], "unknown relation"),
    (["--since", "2100"], "nothing to draw"),
    (["-o", "/nonexistent-dir/x.html"], "cannot write"),
])
def test_cli_render_errors_are_one_line(sample_store, args, message):
    from cli import main

    res = CliRunner().invoke(main, ["render", "--store", str(sample_store), *args])
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_cli_render_without_store(tmp_path):
    from cli import main

    res = CliRunner().invoke(main, ["render", "--store", str(tmp_path / "none")])
    assert res.exit_code == 1 and "no store" in res.output
