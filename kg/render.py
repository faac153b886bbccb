"""The interactive citation-graph page: one self-contained, offline HTML file.

pyvis supplies the data model (a `Network` holding vis-network node and edge dicts and options) and the
template hook; everything else is done here because pyvis' own pages load vis-network and bootstrap from
CDNs, write without an explicit encoding and stall beyond ~1,500 nodes with physics on (DESIGN.md §5).

Choices, and why:
- vis-network's JS and CSS are inlined from the copy bundled in the pyvis package, so the file opens
  offline and requests nothing from any host.
- Node and edge lists are assigned to the `Network` directly: `Network.add_node` checks membership in a
  list, which is quadratic over a whole graph.
- Positions are always precomputed (a Fruchterman-Reingold layout whose repulsion only looks at nearby
  nodes, via a k-d tree, so it is near-linear); above PHYSICS_MAX_NODES physics stays off, below it a
  short stabilisation polishes the layout.
- Document text is untrusted. Data goes in as JSON inside a `<script type="application/json">` block with
  `<`, `>` and `&` escaped, is read with JSON.parse, and reaches the DOM only through textContent; vis
  tooltips are plain-text strings, which vis-network 9 sets with innerText.
"""

from __future__ import annotations

import json
import math
import re
import sys
import types
import unicodedata
from collections import Counter, deque
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

PHYSICS_MAX_NODES = 1000
EXCERPT_CHARS = 800
DOC_KINDS = ("document", "unresolved")
DOC_RELATIONS = ("based_on", "implements", "guides", "amends", "replaces", "repeals", "cites")
BODY_RELATIONS = ("issued_by", "lead", "partner", "recipient")

# Vietnamese reading first: the page is for Vietnamese researchers; the code name follows in the legend.
RELATION_STYLE: dict[str, dict[str, Any]] = {
    "based_on": {"label": "Căn cứ", "color": "#1f77b4", "dashes": False, "width": 1.6},
    "implements": {"label": "Thực hiện", "color": "#2ca02c", "dashes": False, "width": 2.4},
    "guides": {"label": "Hướng dẫn", "color": "#9467bd", "dashes": [8, 4], "width": 1.8},
    "amends": {"label": "Sửa đổi, bổ sung", "color": "#ff7f0e", "dashes": [2, 3], "width": 2.0},
    "replaces": {"label": "Thay thế", "color": "#d62728", "dashes": [10, 3, 2, 3], "width": 2.2},
    "repeals": {"label": "Bãi bỏ", "color": "#8c1d18", "dashes": [3, 3], "width": 2.2},
    "cites": {"label": "Dẫn chiếu", "color": "#9aa5b1", "dashes": False, "width": 1.0},
    "issued_by": {"label": "Ban hành bởi", "color": "#b5a27a", "dashes": [1, 3], "width": 1.0},
    "lead": {"label": "Chủ trì", "color": "#8d6e63", "dashes": [6, 3], "width": 1.2},
    "partner": {"label": "Phối hợp", "color": "#bcaaa4", "dashes": [6, 3], "width": 1.0},
    "recipient": {"label": "Nơi nhận", "color": "#d7ccc8", "dashes": [1, 4], "width": 1.0},
}
_UNKNOWN_RELATION = {"label": "?", "color": "#cccccc", "dashes": [2, 2], "width": 1.0}

TYPE_COLORS = {
    "Nghị quyết": "#e6194b",
    "Quyết định": "#4363d8",
    "Nghị định": "#f58231",
    "Thông tư": "#911eb4",
    "Kế hoạch": "#3cb44b",
    "Kết luận": "#c8102e",
    "Chỉ thị": "#f032e6",
    "Luật": "#000075",
    "Công văn": "#808000",
    "Hướng dẫn": "#469990",
    "Thông báo": "#9a6324",
    "Báo cáo": "#42d4f4",
    "Chương trình": "#bfef45",
    "Đề án": "#aaffc3",
    "Quy định": "#dcbeff",
    "Tờ trình": "#ffd8b1",
}
_SPARE_COLORS = ["#800000", "#fabed4", "#a9a9a9", "#ffe119", "#000000", "#7f7f7f", "#17becf", "#bcbd22"]
BODY_COLOR = "#d9c9a3"
BODY_GROUP = "Cơ quan"
UNTYPED = "Không rõ loại"
UNRESOLVED_PREFIX = "~"

_TEMPLATE_DIR = Path(__file__).parent / "templates"
_STATIC_DIR = Path(__file__).parent / "static"
_VIS_DIR = "templates/lib/vis-9.1.2"


# --------------------------------------------------------------------------- text helpers

_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str | None) -> str:
    """Lower-case, diacritics dropped, đ→d, runs of anything else → one space (same rule as the page's JS)."""
    if not text:
        return ""
    s = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", s).strip()


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _short_block(text: str | None, limit: int) -> str:
    """Like `_short` but keeps line breaks (excerpts are shown as the source lines)."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _is_body(attrs: dict[str, Any]) -> bool:
    return attrs.get("kind") == "body"


# --------------------------------------------------------------------------- selecting what to draw


def find_node(graph: nx.MultiDiGraph, ref: str) -> str:
    """The node a user means by `ref`: an IRI, a key as printed or folded ("1486/QD-TTg"), or a body name.

    Raises KeyError when nothing matches and ValueError when several documents share the number
    (119/KH-UBND exists in dozens of provinces), naming the candidates.
    """
    if ref in graph:
        return ref
    want = fold(ref)
    if not want:
        raise KeyError(f"no document or body matches {ref!r}")
    exact, folded = [], []
    for node, a in graph.nodes(data=True):
        names = [a.get("key"), a.get("label")] + ([a.get("title")] if _is_body(a) else [])
        if ref in names:
            exact.append(node)
        elif any(fold(x) == want for x in names if x):
            folded.append(node)
    hits = exact or folded
    if not hits:
        raise KeyError(f"no document or body matches {ref!r}")
    if len(hits) > 1:
        # A resolved document beats the unresolved references that share its number.
        docs = [n for n in hits if graph.nodes[n].get("kind") == "document"]
        if len(docs) == 1:
            return docs[0]
        shown = ", ".join(sorted(str(h) for h in hits)[:5])
        raise ValueError(f"{ref!r} is ambiguous ({len(hits)} matches: {shown}); give the IRI")
    return hits[0]


def _matches_any(value: str | None, wanted: list[str], *, substring: bool) -> bool:
    v = fold(value)
    if not v:
        return False
    return any((w in v) if substring else (w == v) for w in wanted)


def select_subgraph(
    graph: nx.MultiDiGraph,
    *,
    center: str | None = None,
    radius: int = 1,
    types: Iterable[str] | None = None,
    issuers: Iterable[str] | None = None,
    since: int | None = None,
    relations: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """The part of `graph` the page should show.

    Documents are kept when their type (name or code, diacritics ignored) is in `types`, their issuer
    contains one of `issuers`, and their year is at least `since`; edges when their relation is in
    `relations`. With `center`, only documents within `radius` citation hops of it (either direction)
    remain; the hops go through document-to-document links only, since a body such as the Government
    would connect everything. Bodies stay when still linked to a kept document. The center itself is
    never filtered away.
    """
    center_id = find_node(graph, center) if center is not None else None
    type_list = [fold(t) for t in types] if types else None
    issuer_list = [fold(i) for i in issuers] if issuers else None
    rel_set = set(relations) if relations else None
    if rel_set is not None:
        unknown = rel_set - set(RELATION_STYLE)
        if unknown:
            raise ValueError(f"unknown relation(s): {', '.join(sorted(unknown))}; known: {', '.join(RELATION_STYLE)}")

    def keep_doc(node: str, a: dict[str, Any]) -> bool:
        if node == center_id:
            return True
        if type_list is not None and not (
            _matches_any(a.get("type"), type_list, substring=False)
            or _matches_any(a.get("type_code"), type_list, substring=False)
        ):
            return False
        if issuer_list is not None and not _matches_any(a.get("issuer"), issuer_list, substring=True):
            return False
        if since is not None and (a.get("year") is None or a["year"] < since):
            return False
        return True

    docs = {n for n, a in graph.nodes(data=True) if not _is_body(a) and keep_doc(n, a)}

    def edge_ok(a: dict[str, Any]) -> bool:
        return rel_set is None or a.get("relation") in rel_set

    if center_id is not None:
        docs = _ego(graph, center_id, radius, docs, edge_ok)

    bodies = set()
    for u, v, a in graph.edges(data=True):
        if not edge_ok(a):
            continue
        if u in docs and _is_body(graph.nodes[v]):
            bodies.add(v)
        elif v in docs and _is_body(graph.nodes[u]):
            bodies.add(u)
    if center_id is not None and _is_body(graph.nodes[center_id]):
        bodies.add(center_id)
    keep = docs | bodies

    sub = nx.MultiDiGraph()
    sub.graph.update(graph.graph)
    sub.add_nodes_from((n, graph.nodes[n]) for n in graph.nodes if n in keep)
    sub.add_edges_from(
        (u, v, k, a) for u, v, k, a in graph.edges(keys=True, data=True) if u in keep and v in keep and edge_ok(a)
    )
    return sub


def _ego(graph: nx.MultiDiGraph, center: str, radius: int, allowed: set[str], edge_ok) -> set[str]:
    """Documents within `radius` hops of `center` over document links, in either direction."""
    seen = {center}
    frontier = deque([(center, 0)])
    while frontier:
        node, dist = frontier.popleft()
        if dist >= radius:
            continue
        around = [(v, a) for _, v, a in graph.out_edges(node, data=True)]
        around += [(u, a) for u, _, a in graph.in_edges(node, data=True)]
        for nb, a in around:
            # Bodies are added afterwards: hopping through the Government would reach everything.
            if nb in seen or nb not in allowed or not edge_ok(a) or _is_body(graph.nodes[nb]):
                continue
            seen.add(nb)
            frontier.append((nb, dist + 1))
    return {n for n in seen if not _is_body(graph.nodes[n])}


# --------------------------------------------------------------------------- layout


def layout_positions(graph: nx.Graph, *, seed: int = 1, iterations: int | None = None, scale: float = 60.0) -> dict:
    """Node positions in page pixels from a force-directed layout that stays fast on 20,000 nodes.

    Fruchterman-Reingold forces (attraction d²/k along edges, repulsion k²/d between all pairs), with the
    all-pairs repulsion computed particle-mesh style: node counts on a grid, convolved by FFT with the
    k²/d kernel, plus exact repulsion between nodes closer than one cell (k-d tree). A weak pull to the
    centre keeps the many small components together. Cost per iteration is about linear in nodes + edges,
    against the quadratic `nx.spring_layout` (56 s on 5,000 nodes here); a cutoff-only repulsion, tried
    first, let hubs crush their neighbourhoods into unreadable balls.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    nodes = list(graph.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0, 0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    k = 1.0
    side = math.sqrt(n) * k
    pos = rng.uniform(-side / 2, side / 2, size=(n, 2))
    if iterations is None:
        iterations = 150 if n <= 5000 else 100
    temp = side / 8
    cool = (0.01 / temp) ** (1 / iterations) if temp > 0.01 else 1.0
    grid = 64 if n <= 2000 else 128
    # Linear pull to the centre, strong enough that the cloud settles at a radius near 0.6·sqrt(n)·k
    # (the far-field repulsion at radius R is about n·k²/R).
    gravity = 1 / 0.36
    for _ in range(iterations):
        disp = _mesh_repulsion(pos, k, grid)
        cell = (np.ptp(pos, axis=0).max() + 1e-9) / grid
        close = cKDTree(pos).query_pairs(min(cell, k), output_type="ndarray")
        if len(close):
            d = pos[close[:, 0]] - pos[close[:, 1]]
            dist2 = np.maximum((d * d).sum(axis=1), 1e-4)
            f = (k * k / dist2)[:, None] * d
            for dim in (0, 1):
                disp[:, dim] += np.bincount(close[:, 0], weights=f[:, dim], minlength=n)
                disp[:, dim] -= np.bincount(close[:, 1], weights=f[:, dim], minlength=n)
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.sqrt(np.maximum((d * d).sum(axis=1), 1e-8))
            f = (dist / k)[:, None] * d
            for dim in (0, 1):
                disp[:, dim] -= np.bincount(edges[:, 0], weights=f[:, dim], minlength=n)
                disp[:, dim] += np.bincount(edges[:, 1], weights=f[:, dim], minlength=n)
        disp -= gravity * k * (pos - pos.mean(axis=0))
        length = np.sqrt(np.maximum((disp * disp).sum(axis=1), 1e-12))
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp *= cool
    pos -= pos.mean(axis=0)
    return {node: (round(float(x) * scale), round(float(y) * scale)) for node, (x, y) in zip(nodes, pos, strict=True)}


def _mesh_repulsion(pos, k: float, grid: int):
    """Repulsion k²/d from every other node, approximated on a grid (nodes in one cell do not see each other)."""
    import numpy as np

    lo = pos.min(axis=0)
    cell = (np.ptp(pos, axis=0).max() + 1e-9) / grid
    idx = np.minimum(((pos - lo) / cell).astype(np.int64), grid - 1)
    rho = np.bincount(idx[:, 0] * grid + idx[:, 1], minlength=grid * grid).reshape(grid, grid).astype(float)
    size = 2 * grid  # zero padding makes the FFT's circular convolution a linear one
    off = np.arange(size)
    off = np.where(off < grid, off, off - size) * cell
    dx, dy = off[:, None], off[None, :]
    r2 = dx * dx + dy * dy
    r2[0, 0] = np.inf
    spectrum = np.fft.rfft2(rho, s=(size, size))
    fx = np.fft.irfft2(spectrum * np.fft.rfft2(k * k * dx / r2), s=(size, size))[:grid, :grid]
    fy = np.fft.irfft2(spectrum * np.fft.rfft2(k * k * dy / r2), s=(size, size))[:grid, :grid]
    return np.stack([fx[idx[:, 0], idx[:, 1]], fy[idx[:, 0], idx[:, 1]]], axis=1)


# --------------------------------------------------------------------------- page data


def _type_colors(type_counts: Counter) -> dict[str, str]:
    colors, spare = {}, iter(_SPARE_COLORS)
    for name, _count in type_counts.most_common():
        colors[name] = TYPE_COLORS.get(name) or next(spare, "#888888")
    return colors


def build_page_data(graph: nx.MultiDiGraph, *, center: str | None = None) -> dict[str, Any]:
    """Everything the page needs: vis-network nodes, edges and options, and per-node details.

    Parallel edges with the same relation are merged into one drawn edge that keeps every evidence.
    """
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    attrs = [graph.nodes[n] for n in nodes]
    type_counts = Counter((a.get("type") or UNTYPED) for a in attrs if not _is_body(a))
    colors = _type_colors(type_counts)
    large = len(nodes) > PHYSICS_MAX_NODES
    positions = layout_positions(graph)

    merged: dict[tuple[int, int, str], list[dict[str, Any]]] = {}
    for u, v, a in graph.edges(data=True):
        merged.setdefault((index[u], index[v], a.get("relation") or "cites"), []).append(a)
    # Size: how often a document is cited, plus half of what it cites (the source documents of a small
    # corpus cite much and are cited little, yet are what the reader came for).
    weight: Counter = Counter()
    for u, v, rel in merged:
        if rel in DOC_RELATIONS:
            weight[v] += 1
            weight[u] += 0.5

    def label(a: dict[str, Any]) -> str:
        return a.get("label") or a.get("key") or _short(a.get("title"), 40) or "?"

    vis_nodes, info = [], []
    for i, a in enumerate(attrs):
        x, y = positions[nodes[i]]
        body = _is_body(a)
        group = BODY_GROUP if body else (a.get("type") or UNTYPED)
        item: dict[str, Any] = {
            "id": i,
            "label": _short(label(a), 48),
            "group": group,
            "x": x,
            "y": y,
            "size": round(7 + 4 * math.log2(1 + weight[i]), 1) if not body else 9,
        }
        if a.get("kind") == "unresolved":
            item["group"] = UNRESOLVED_PREFIX + group  # hollow, dashed border (vis lets groups override node colours)
        vis_nodes.append(item)
        # Tooltips and the search index are built from this in the page, which keeps big files small.
        detail = {
            "iri": str(nodes[i]),
            "kind": a.get("kind") or "document",
            "key": a.get("key"),
            "label": label(a),
            "type": a.get("type"),
            "code": a.get("type_code"),
            "issuer": a.get("issuer"),
            "date": a.get("date"),
            "year": a.get("year"),
            "title": a.get("title"),
            "files": list(a.get("files") or []),
            "excerpt": _short_block(a.get("excerpt"), EXCERPT_CHARS),
        }
        info.append({k: v for k, v in detail.items() if v not in (None, "", [])})

    vis_edges, edge_info = [], []
    rel_counts: Counter = Counter()
    for j, ((u, v, rel), evs) in enumerate(merged.items()):
        rel_counts[rel] += 1
        vis_edges.append({"id": j, "from": u, "to": v, "rel": rel})
        # Evidence as [file, line, surface, evidence line, method]; the page turns it into the tooltip.
        edge_info.append({"n": len(evs), "ev": [[ev.get("file"), ev.get("line"), _short(ev.get("surface"), 200),
                                                 _short(ev.get("evidence"), 400), ev.get("method")] for ev in evs[:3]]})

    groups: dict[str, Any] = {}
    for name, c in colors.items():
        groups[name] = {"shape": "dot", "color": {"background": c, "border": _darker(c),
                                                 "highlight": {"background": c, "border": "#000000"},
                                                 "hover": {"background": c, "border": "#000000"}}}
        # Known only from citations: hollow, with a dashed border in the type's colour.
        groups[UNRESOLVED_PREFIX + name] = {
            "shape": "dot", "borderWidth": 2, "shapeProperties": {"borderDashes": [3, 2]},
            "color": {"background": "#ffffff", "border": c, "highlight": {"background": "#ffffff", "border": "#000000"},
                      "hover": {"background": "#ffffff", "border": "#000000"}},
        }
    groups[BODY_GROUP] = {"color": {"background": BODY_COLOR, "border": "#7d6b45",
                                    "highlight": {"background": BODY_COLOR, "border": "#000000"},
                                    "hover": {"background": BODY_COLOR, "border": "#000000"}},
                          "shape": "diamond"}
    options = _vis_options(large, groups)
    issuers = Counter(a.get("issuer") for a in attrs if not _is_body(a) and a.get("issuer"))
    years = [a["year"] for a in attrs if not _is_body(a) and a.get("year")]
    relations_present = [r for r in RELATION_STYLE if rel_counts[r]] + sorted(
        r for r in rel_counts if r not in RELATION_STYLE
    )
    meta = {
        "types": [{"name": t, "color": colors[t], "count": type_counts[t]} for t in colors],
        "bodies": sum(1 for a in attrs if _is_body(a)),
        "bodyColor": BODY_COLOR,
        "bodyGroup": BODY_GROUP,
        "untyped": UNTYPED,
        "relations": [
            {"name": r, "count": rel_counts[r], **RELATION_STYLE.get(r, _UNKNOWN_RELATION)} for r in relations_present
        ],
        "relStyle": {r: RELATION_STYLE.get(r, _UNKNOWN_RELATION) for r in rel_counts},
        "docRelations": list(DOC_RELATIONS),
        "issuers": [i for i, _ in issuers.most_common()],
        "years": [min(years), max(years)] if years else None,
        "physics": not large,
        "detailedEdges": not large,
        "center": index.get(center) if center is not None else None,
    }
    return {"nodes": vis_nodes, "edges": vis_edges, "options": options, "info": info, "edgeInfo": edge_info,
            "meta": meta}


def _darker(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.7) for c in (r, g, b)))


def _vis_options(large: bool, groups: dict[str, Any]) -> dict[str, Any]:
    return {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 12, "face": "DejaVu Sans, Arial, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
            # Labels are skipped while zoomed out: drawing 20,000 labels per frame is what makes big pages crawl.
            "scaling": {"label": {"enabled": False, "drawThreshold": 7}},
        },
        "edges": {
            "smooth": False,  # straight edges: curved ones cost a Bezier per edge per frame
            # Arrow heads are placed on each node's border per edge per frame: most of a big graph's draw time.
            "arrows": {"to": {"enabled": not large, "scaleFactor": 0.45}},
            "color": {"inherit": False},
            "selectionWidth": 2,
        },
        "groups": groups,
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {
            "hover": not large,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": False,
        },
        "physics": {
            "enabled": not large,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -2500, "springLength": 80, "springConstant": 0.03,
                          "damping": 0.5, "avoidOverlap": 0.05},
            "minVelocity": 1.0,
            "stabilization": {"enabled": True, "iterations": 150, "updateInterval": 50, "fit": True},
        },
    }


# --------------------------------------------------------------------------- writing the page


def _script_json(obj: Any):
    """JSON safe inside a <script> block: no `</script>`, `<!--` or stray line separators can end it."""
    return _script_json_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


def _script_json_text(s: str):
    """`_script_json` for text that is JSON already (pyvis hands its options over serialised)."""
    from markupsafe import Markup

    s = (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
         .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(s)


def _vis_assets() -> tuple[str, str]:
    lib = resources.files("pyvis") / _VIS_DIR
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # The source map is not shipped; the comment would only make devtools ask a server for it.
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.M)
    return js, css


def render_html(graph: nx.MultiDiGraph, *, title: str = "legalkg — citation graph", center: str | None = None) -> str:
    """The page for `graph` as a string (no filtering: see `select_subgraph`)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup
    from pyvis.network import Network

    data = build_page_data(graph, center=center)
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading=title)
    # Direct assignment: add_node/add_edge are linear per call (membership test on a list).
    net.nodes = data["nodes"]
    net.edges = data["edges"]
    net.options = data["options"]
    env = Environment(loader=FileSystemLoader(str(_TEMPLATE_DIR)), autoescape=select_autoescape(default=True))
    env.filters["script_json"] = _script_json
    env.filters["script_json_text"] = _script_json_text
    vis_js, vis_css = _vis_assets()
    env.globals.update(
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        page_js=Markup((_STATIC_DIR / "graph.js").read_text(encoding="utf-8")),
        page_css=Markup((_STATIC_DIR / "graph.css").read_text(encoding="utf-8")),
        info=data["info"],
        edge_info=data["edgeInfo"],
        meta=data["meta"],
    )
    net.templateEnv = env
    net.path = "graph.html.j2"
    return net.generate_html(name="graph.html")


def render(
    graph: nx.MultiDiGraph,
    out_path: str | Path,
    *,
    center: str | None = None,
    radius: int = 1,
    types: Iterable[str] | None = None,
    issuers: Iterable[str] | None = None,
    since: int | None = None,
    relations: Iterable[str] | None = None,
    title: str = "legalkg — citation graph",
) -> Path:
    """Write the interactive page for `graph` (optionally filtered, see `select_subgraph`) to `out_path`."""
    sub = select_subgraph(graph, center=center, radius=radius, types=types, issuers=issuers, since=since,
                          relations=relations)
    if sub.number_of_nodes() == 0:
        raise ValueError("nothing to draw: no document matches the filters" if graph.number_of_nodes()
                         else "nothing to draw: the graph is empty (run `legalkg build` first)")
    center_id = find_node(graph, center) if center is not None else None
    html = render_html(sub, title=title, center=center_id)
    out = Path(out_path)
    out.write_text(html, encoding="utf-8")
    return out


def render_store(store: Any = None, out_path: str | Path = "graph.html", **options: Any) -> Path:
    """`render` for a store (a GraphStore, a store directory or None for the default store)."""
    from kg.network import to_networkx
    from kg.store import as_store

    return render(to_networkx(as_store(store)), out_path, **options)


class _CallableModule(types.ModuleType):
    # `kg.render` is this module once imported; calling it still renders (like kg.query)
    def __call__(self, *args: Any, **kwargs: Any) -> Path:
        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
