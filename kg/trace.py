"""Trace: the tree of documents that implement, guide or are based on a document, transitively.

``trace(store, "57-KL/TW")`` finds the document(s) with that number (accent-insensitively: ``1486/QD-TTg``
finds ``1486/QĐ-TTg``; several when the same number is known under several issuers or stays unresolved),
then walks the ``vn:implements``, ``vn:guides`` and ``eli:based_on`` links backwards: each child is a
document that points at its parent. Every node carries its type, issuer, date, title and the tasks it
assigns with their lead and partner bodies. A document reached twice is shown once in full and then
as a reference, so cycles and diamonds stay finite.
"""

from __future__ import annotations

import difflib
import sys
import types
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.identity import lookup_form, sparql_prefixes
from kg.query import bind_params, shipped, values_block


class UnknownKey(LookupError):
    """No document has this number; ``nearest`` are the closest known ones."""

    def __init__(self, key: str, nearest: list[str]) -> None:
        self.key = key
        self.nearest = nearest
        hint = f"; nearest known: {', '.join(nearest)}" if nearest else "; the store has no numbered documents yet"
        super().__init__(f"no document numbered {key!r} in the store{hint}")


@dataclass
class TaskInfo:
    id: str | None
    text: str | None
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    time: str | None = None


@dataclass
class TraceNode:
    iri: str
    key: str | None
    label: str
    kind: str  # document | unresolved
    type: str | None = None
    issuer: str | None = None
    date: str | None = None
    title: str | None = None
    relations: list[str] = field(default_factory=list)  # how it points at its parent (empty for a root)
    tasks: list[TaskInfo] = field(default_factory=list)
    children: list[TraceNode] = field(default_factory=list)
    repeated: bool = False  # expanded elsewhere in the tree: not expanded again here
    shown_under: str | None = None  # where it is expanded (the label of that parent)
    truncated: bool = False  # has children beyond --depth

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return d

    def walk(self) -> list[TraceNode]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


def nearest_keys(store: Any, key: str, n: int = 5) -> list[str]:
    rows = store.select(sparql_prefixes() + "SELECT DISTINCT ?k ?key WHERE { ?x vn:lookupKey ?k ; vn:key ?key }")
    by_lookup: dict[str, str] = {}
    for r in rows:
        by_lookup.setdefault(r["k"], r["key"])
    target = lookup_form(key)
    close = difflib.get_close_matches(target, list(by_lookup), n=n, cutoff=0.6)
    if len(close) < n:  # same number, other codes ("1486/QĐ-TTg" for "1486/QĐ-UBND")
        num = target.split("/")[0].split("-")[0]
        same = [k for k in sorted(by_lookup) if k.split("/")[0].split("-")[0] == num and k not in close]
        close += same[: n - len(close)]
    return [by_lookup[k] for k in close]


def _values(var: str, iris: list[str]) -> str:
    return values_block({var: [ox.NamedNode(i) for i in iris]})


def trace(store: Any, key: str, *, depth: int | None = None) -> list[TraceNode]:
    """The trace trees of ``key`` (one per document with that number). Raises :class:`UnknownKey`."""
    roots = _roots(store, key)
    if not roots:
        raise UnknownKey(key, nearest_keys(store, key))
    # the edges are the shipped `trace` question's, with the roots found here bound in place of its key
    edges_q = sparql_prefixes() + bind_params(shipped()["trace"].text, {"root": [ox.NamedNode(r) for r in roots]})
    children: dict[str, dict[str, list[str]]] = {}
    for r in store.select(edges_q):
        if r["child"] == r["parent"]:
            continue
        children.setdefault(r["parent"], {}).setdefault(r["child"], []).append(r["relation"])
    nodes = {r for r in roots} | set(children) | {c for cs in children.values() for c in cs}
    info = _describe(store, sorted(nodes))
    tasks = _tasks(store, sorted(nodes))
    # A document reached through several parents is expanded once, under its strongest parent: the best
    # relation (implements, then guides, then based on), then the deepest parent, then the earliest.
    level: dict[str, int] = {r: 0 for r in roots}
    frontier = list(roots)
    while frontier:
        nxt = []
        for par in frontier:
            for ch in children.get(par, {}):
                if ch not in level:
                    level[ch] = level[par] + 1
                    nxt.append(ch)
        frontier = nxt
    preferred: dict[str, str] = {}
    for par, kids in children.items():
        if depth is not None and level.get(par, 0) >= depth:
            continue  # children of this parent are cut by --depth: it cannot be anyone's home
        for ch, rels in kids.items():
            rank = (min(_rel_order(r) for r in rels), -level.get(par, 0), info.get(par, {}).get("date") or "9999", par)
            if ch not in preferred or rank < preferred[ch][0]:
                preferred[ch] = (rank, par)  # type: ignore[assignment]
    seen: set[str] = set()

    def make(iri: str, rels: list[str], lvl: int, parent: str | None = None) -> TraceNode:
        i = info.get(iri, {})
        node = TraceNode(iri=iri, key=i.get("key"), label=i.get("label") or iri, kind=i.get("kind", "document"),
                         type=i.get("type"), issuer=i.get("issuer"), date=i.get("date"), title=i.get("title"),
                         relations=sorted(set(rels), key=_rel_order))
        home = preferred.get(iri)
        if iri in seen or (parent is not None and home is not None and home[1] != parent and home[1] in level):
            node.repeated = True
            node.shown_under = info.get(home[1], {}).get("label") if home and home[1] != parent else None
            return node
        seen.add(iri)
        node.tasks = tasks.get(iri, [])
        kids = children.get(iri, {})
        if depth is not None and lvl >= depth:
            node.truncated = bool(kids)
            return node
        order = sorted(kids.items(), key=lambda kv: (info.get(kv[0], {}).get("date") or "9999",
                                                     info.get(kv[0], {}).get("label") or kv[0]))
        for child, crels in order:
            node.children.append(make(child, crels, lvl + 1, iri))
        return node

    ordered = sorted(roots, key=lambda r: (info.get(r, {}).get("kind") != "document",
                                           info.get(r, {}).get("date") or ""))
    return [make(r, [], 0) for r in ordered]


def _rel_order(r: str) -> int:
    return ["implements", "guides", "based_on"].index(r) if r in ("implements", "guides", "based_on") else 9


def _roots(store: Any, key: str) -> list[str]:
    key = key.strip()
    if key.startswith(("http://", "https://")):
        return [key]
    lit = ox.Literal(lookup_form(key))
    q = sparql_prefixes() + (
        f"SELECT DISTINCT ?n WHERE {{ VALUES ?k {{ {lit} }} ?n vn:lookupKey ?k . "
        "FILTER NOT EXISTS { ?n a org:Organization } }"
    )
    return sorted(r["n"] for r in store.select(q))


def _describe(store: Any, iris: list[str]) -> dict[str, dict[str, Any]]:
    if not iris:
        return {}
    q = sparql_prefixes() + (
        "SELECT ?n (SAMPLE(?k) AS ?key) (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?type) (SAMPLE(?i) AS ?issuer) "
        "(MIN(?d) AS ?date) (SAMPLE(?ti) AS ?title) (SAMPLE(?u) AS ?unresolved) WHERE { " + _values("n", iris) + " "
        "OPTIONAL { ?n vn:key ?k } OPTIONAL { ?n rdfs:label ?l } "
        "OPTIONAL { ?n vn:typeName ?t } "
        "OPTIONAL { ?n vn:issuerName ?i } OPTIONAL { ?n eli:date_document ?d } "
        "OPTIONAL { ?n eli:title ?ti } OPTIONAL { ?n vn:unresolvedBecause ?u } } GROUP BY ?n"
    )
    out: dict[str, dict[str, Any]] = {}
    for r in store.select(q):
        out[r["n"]] = {
            "key": r["key"], "label": r["label"] or r["key"], "type": r["type"], "issuer": r["issuer"],
            "date": r["date"], "title": r["title"], "kind": "unresolved" if r["unresolved"] else "document",
        }
    return out


def _tasks(store: Any, iris: list[str]) -> dict[str, list[TaskInfo]]:
    if not iris:
        return {}
    p = sparql_prefixes()
    q = p + (
        "SELECT ?n ?t (SAMPLE(?o) AS ?ord) (SAMPLE(?id) AS ?tid) (SAMPLE(?x) AS ?text) (SAMPLE(?tf) AS ?time) "
        "WHERE { " + _values("n", iris) + " ?n vn:assigns ?t . ?t vn:ordinal ?o . OPTIONAL { ?t vn:taskId ?id } "
        "OPTIONAL { ?t vn:text ?x } OPTIONAL { ?t vn:timeframe ?tf } } GROUP BY ?n ?t"
    )
    # the bodies in a query of their own: required patterns join fast, a two-step OPTIONAL does not
    who = p + (
        "SELECT DISTINCT ?t ?role ?name WHERE { " + _values("n", iris) + " ?n vn:assigns ?t . "
        "{ ?t vn:lead ?b . BIND('lead' AS ?role) } UNION { ?t vn:partner ?b . BIND('partner' AS ?role) } "
        "?b skos:prefLabel ?name }"
    )
    bodies: dict[tuple[str, str], list[str]] = {}
    for r in store.select(who):
        bodies.setdefault((r["t"], r["role"]), []).append(r["name"])
    out: dict[str, list[tuple[int, TaskInfo]]] = {}
    for r in store.select(q):
        ti = TaskInfo(id=r["tid"], text=r["text"], lead=sorted(bodies.get((r["t"], "lead"), [])),
                      partners=sorted(bodies.get((r["t"], "partner"), [])), time=r["time"])
        out.setdefault(r["n"], []).append((int(r["ord"]), ti))
    return {k: [t for _, t in sorted(v, key=lambda x: x[0])] for k, v in out.items()}


# --------------------------------------------------------------------------------------------------
# Rendering


def _clip(s: str | None, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _headline(n: TraceNode) -> str:
    facts = " · ".join(x for x in (n.type, n.issuer, n.date) if x)
    rel = f"[{', '.join(r.replace('_', ' ') for r in n.relations)}] " if n.relations else ""
    unres = " (unresolved reference)" if n.kind == "unresolved" else ""
    head = f"{rel}{n.label}{unres}"
    if facts:
        head += f"  — {facts}"
    return head


def render(roots: list[TraceNode], *, width: int = 110, max_tasks: int | None = None) -> str:
    """The trees as text (box-drawing guides), tasks under their document."""
    lines: list[str] = []

    def emit(n: TraceNode, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        mark = ""
        if n.repeated:
            mark = f"  (see under {n.shown_under})" if n.shown_under else "  (see above)"
        lines.append(prefix + branch + _headline(n) + mark)
        inner = prefix + ("" if top else ("    " if last else "│   "))
        if n.repeated:
            return
        if n.title and n.title != n.label:
            lines.append(inner + ("│ " if n.children else "  ") + _clip(n.title, width - len(inner)))
        shown = n.tasks if max_tasks is None else n.tasks[:max_tasks]
        if n.tasks:
            bar = "│ " if n.children else "  "
            lines.append(inner + bar + f"tasks ({len(n.tasks)}):")
            for t in shown:
                who = "; ".join(filter(None, [
                    ("lead: " + ", ".join(t.lead)) if t.lead else "",
                    ("partners: " + ", ".join(t.partners)) if t.partners else "",
                    ("time: " + t.time) if t.time else "",
                ]))
                lines.append(inner + bar + "  • " + _clip(f"{t.id + ' ' if t.id else ''}{t.text or ''}", 80)
                             + (f"  [{_clip(who, width)}]" if who else ""))
            if len(shown) < len(n.tasks):
                lines.append(inner + bar + f"  … {len(n.tasks) - len(shown)} more (--json shows all)")
        if n.truncated:
            lines.append(inner + "└── … (deeper levels cut by --depth)")
        for i, c in enumerate(n.children):
            emit(c, inner, i == len(n.children) - 1, False)

    for i, r in enumerate(roots):
        if i:
            lines.append("")
        emit(r, "", True, True)
        if not r.children and not r.truncated:
            lines.append("  (no document in the store implements, guides or is based on it)")
    return "\n".join(lines)


def to_json(roots: list[TraceNode]) -> list[dict[str, Any]]:
    return [r.to_dict() for r in roots]


class _CallableModule(types.ModuleType):
    # `import kg.trace` makes kg.trace this module; calling it still traces: kg.trace(store, "57-KL/TW")
    def __call__(self, store: Any, key: str, **kwargs: Any) -> list[TraceNode]:
        from kg.store import as_store

        return trace(as_store(store), key, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
