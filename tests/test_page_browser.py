"""The interactive page in a real browser: Debian's chromium driven by Playwright, offline.

Every request to anything but the page's own file is aborted and recorded; the page must make none,
load, draw the expected nodes, find documents by number or title without diacritics, hide nodes when
filtered (exactly as `kg.render.select_subgraph` would), show document text as text, export a PNG, and
log no console error. A screenshot goes to tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sample_graphs import HOSTILE_TITLE, node_by_key, policy_graph, synthetic_graph

from kg.render import PHYSICS_MAX_NODES, render, select_subgraph

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh user-data-dir
            executable_path=CHROMIUM, args=ARGS, headless=True, viewport={"width": 1400, "height": 900},
            accept_downloads=True,
        )
        context.blocked = []  # type: ignore[attr-defined]

        def guard(route):
            url = route.request.url
            if url.startswith("file://"):
                route.continue_()
            else:
                context.blocked.append(url)  # type: ignore[attr-defined]
                route.abort()

        context.route("**/*", guard)
        yield context
        context.close()


class Page:
    """One loaded page with its console and error log."""

    def __init__(self, context, path: Path) -> None:
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console.error: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready='1']", state="attached", timeout=60_000)

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def visible(self) -> int:
        return self.js("legalkg.visibleCount()")

    def visible_iris(self) -> set[str]:
        return set(self.js("legalkg.network.body.nodeIndices.map(i => legalkg.info[i].iri)"))

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def graph():
    return policy_graph()


@pytest.fixture()
def page(browser_context, graph, tmp_path):
    out = render(graph, tmp_path / "policy.html")
    p = Page(browser_context, out)
    yield p
    p.close()
    assert p.errors == [], p.errors
    assert browser_context.blocked == [], browser_context.blocked


def test_loads_offline_and_draws_every_node(page, graph):
    want = select_subgraph(graph)
    assert page.visible() == want.number_of_nodes() == page.js("legalkg.total")
    assert page.visible_iris() == set(want.nodes)
    assert page.page.locator("#count").get_attribute("data-visible") == str(want.number_of_nodes())
    assert page.js("legalkg.network.body.edgeIndices.length") == page.js("legalkg.visibleEdgeCount()") > 0
    canvas = page.page.locator("#mynetwork canvas")
    assert canvas.count() == 1 and canvas.bounding_box()["width"] > 600
    # Something was drawn: the canvas is not blank.
    assert page.js("""(() => { const c = document.querySelector('#mynetwork canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()""") > 2000
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "page-policy.png"))


def test_search_without_diacritics_finds_the_number(page, graph):
    page.page.fill("#search", "quyet dinh 1486")
    first = page.page.locator("#results li").first
    assert first.locator(".k").inner_text() == "1486/QĐ-TTg"
    page.page.keyboard.press("Enter")
    page.page.wait_for_selector("#details:not([hidden])")
    assert page.page.locator("#details h3").inner_text() == "1486/QĐ-TTg"
    selected = page.js("legalkg.network.getSelectedNodes().map(i => legalkg.info[i].iri)")
    assert selected == [node_by_key(graph, "1486/QĐ-TTg")]
    # By title words, accents dropped; and by a folded number.
    assert page.js("legalkg.search('chuong trinh hanh dong')") == ["47/NQ-CP"]
    assert page.js("legalkg.search('57-kl/tw')")[0] == "57-KL/TW"
    page.page.fill("#search", "khong co van ban nay 0000")
    assert page.page.locator("#results li.none").count() == 1


def test_type_and_relation_filters_hide_what_python_hides(page, graph):
    everything = page.visible()
    page.page.locator("#types label", has_text="Kế hoạch").locator("input").uncheck()
    types = [a["type"] for _, a in graph.nodes(data=True) if a["kind"] != "body" and a["type"] != "Kế hoạch"]
    want = select_subgraph(graph, types=types)
    assert page.visible() < everything
    assert page.visible_iris() == set(want.nodes)

    page.page.click("#btn-reset")
    assert page.visible() == everything
    edges = page.js("legalkg.visibleEdgeCount()")
    page.page.locator("#relations label", has_text="Thực hiện").locator("input").uncheck()
    implements = sum(1 for *_, a in graph.edges(data=True) if a["relation"] == "implements")
    assert page.js("legalkg.visibleEdgeCount()") == edges - implements


def test_issuer_and_year_filters(page, graph):
    # Typed filters apply after a short pause; wait for the count Python expects, then compare the nodes.
    want = select_subgraph(graph, issuers=["binh dinh"])
    page.page.fill("#issuer", "binh dinh")
    page.page.wait_for_selector(f"#count[data-visible='{want.number_of_nodes()}']", state="attached")
    assert page.visible_iris() == set(want.nodes)
    page.page.fill("#issuer", "")
    want = select_subgraph(graph, since=2020)
    page.page.fill("#year-from", "2020")
    page.page.wait_for_selector(f"#count[data-visible='{want.number_of_nodes()}']", state="attached")
    assert page.visible_iris() == set(want.nodes)


def test_ego_view_matches_python(page, graph):
    center = node_by_key(graph, "119/KH-UBND", "Ủy ban nhân dân tỉnh Bình Định")
    index = page.js("legalkg.info.map(i => i.iri)").index(center)
    page.js(f"legalkg.select({index})")
    page.page.select_option("#ego-radius", "1")
    page.page.click("#btn-ego")
    assert page.visible_iris() == set(select_subgraph(graph, center=center, radius=1).nodes)
    page.page.select_option("#ego-radius", "2")
    page.page.click("#btn-ego")
    assert page.visible_iris() == set(select_subgraph(graph, center=center, radius=2).nodes)
    page.page.click("#btn-ego-clear")
    assert page.visible() == graph.number_of_nodes()


def test_hostile_title_stays_text(page, graph):
    iri = node_by_key(graph, "1578/BTTTT-TTĐN")
    index = page.js("legalkg.info.map(i => i.iri)").index(iri)
    page.js(f"legalkg.select({index})")
    details = page.page.locator("#details-body")
    assert HOSTILE_TITLE in details.inner_text()
    assert details.locator("script, img").count() == 0
    # The tooltip, shown by hovering the node, is plain text too.
    page.page.wait_for_timeout(600)  # let the focus animation end
    pos = page.js(f"legalkg.network.canvasToDOM(legalkg.network.getPosition({index}))")
    box = page.page.locator("#mynetwork").bounding_box()
    page.page.mouse.move(box["x"] + pos["x"] - 30, box["y"] + pos["y"] - 30)
    page.page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"], steps=5)
    tip = page.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert "<script>window.__xss=1</script>" in tip.inner_text()
    # innerText turns line breaks into <br>; nothing else may appear.
    assert tip.locator("*").count() == tip.locator("br").count()
    assert page.js("window.__xss === undefined")


def test_edge_details_show_the_evidence(page, graph):
    info = page.js("legalkg.info.map(i => i.iri)")
    src = info.index(node_by_key(graph, "47/NQ-CP"))
    dst = info.index(node_by_key(graph, "57-KL/TW"))
    edge = page.js(f"legalkg.edges.get({{filter: e => e.from === {src} && e.to === {dst}}})")[0]
    assert edge["rel"] == "implements"
    assert "Thực hiện Kết luận số 57-KL/TW" in edge["title"] and "nq47.txt:9" in edge["title"]
    page.js(f"legalkg.network.selectEdges([{edge['id']}]); legalkg.network.emit('click', "
            f"{{nodes: [], edges: [{edge['id']}], pointer: {{DOM: {{x: 0, y: 0}}, canvas: {{x: 0, y: 0}}}}}})")
    assert "Thực hiện Kết luận số 57-KL/TW ngày 15/6/2023" in page.page.locator("#details-body .evidence").inner_text()


def test_png_export(page, tmp_path):
    with page.page.expect_download() as dl:
        page.page.click("#btn-png")
    target = tmp_path / "export.png"
    dl.value.save_as(target)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_large_graph_uses_precomputed_layout(browser_context, tmp_path):
    g = synthetic_graph(PHYSICS_MAX_NODES + 500, seed=11)
    p = Page(browser_context, render(g, tmp_path / "big.html"))
    try:
        assert p.js("legalkg.network.physics.physicsEnabled") is False
        assert p.visible_iris() == set(select_subgraph(g).nodes)
        # Nodes sit where the layout put them (no physics moved them).
        data = json.loads(p.page.locator("#data-nodes").text_content())
        moved = p.js("(() => { const pos = legalkg.network.getPositions(); return Object.keys(pos).length; })()")
        assert moved == len(data)
        sample = data[:50]
        positions = p.js(f"legalkg.network.getPositions({json.dumps([n['id'] for n in sample])})")
        assert all(positions[str(n["id"])] == {"x": n["x"], "y": n["y"]} for n in sample)
        assert p.js("legalkg.search('quyet dinh')")
        ARTIFACTS.mkdir(exist_ok=True)
        p.page.screenshot(path=str(ARTIFACTS / "page-large.png"))
    finally:
        p.close()
    assert p.errors == [], p.errors
    assert browser_context.blocked == []


def test_the_guard_blocks_other_hosts(browser_context, tmp_path):
    # The request guard itself works: a page that does reach out is caught (so an empty log means something).
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><img src="https://cdn.example.org/x.png">', encoding="utf-8")
    page = browser_context.new_page()
    try:
        page.goto(probe.as_uri())
        page.wait_for_timeout(300)
    finally:
        page.close()
    assert any("cdn.example.org" in u for u in browser_context.blocked)
    browser_context.blocked.clear()


@pytest.mark.skipif(shutil.which("legalkg") is None, reason="legalkg is not installed")
def test_seed_page_from_the_cli(browser_context, tmp_path):
    import subprocess

    from sample_graphs import built_sample_store

    out = tmp_path / "seeds.html"
    subprocess.run(["legalkg", "render", "--store", str(built_sample_store()), "-o", str(out)], check=True)
    p = Page(browser_context, out)
    try:
        assert p.visible() == p.js("legalkg.total") > 50
        p.page.fill("#search", "ket luan 57")
        assert p.page.locator("#results li .k").first.inner_text() == "57-KL/TW"
        ARTIFACTS.mkdir(exist_ok=True)
        p.page.screenshot(path=str(ARTIFACTS / "page-seeds.png"))
    finally:
        p.close()
    assert p.errors == [] and browser_context.blocked == []
