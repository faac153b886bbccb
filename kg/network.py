"""The store as a networkx graph, for analytics and for the interactive page (kg.render).

``to_networkx(store) -> networkx.MultiDiGraph`` — the contract other modules rely on:

Nodes (id = IRI string), attributes:
    kind      "document" | "unresolved" | "body"
    label     short display: the number (key), else the name or title
    key       the number as printed canonically ("1486/QĐ-TTg") or None
    type      Vietnamese type name ("Quyết định") or None
    type_code "QĐ" (skos:notation of the type) or None
    issuer    canonical name of the issuing body or None
    date      ISO date or None
    year      int or None
    title     trích yếu or None
    files     list of source names: the files holding the document's text, else the files citing it
    excerpt   a short source excerpt: the first lines of its text, or the first sentence citing it

Edges (one per extracted link; the edge key is the link's IRI), attributes:
    relation  "based_on" | "implements" | "guides" | "amends" | "replaces" | "repeals" | "cites"
              | "issued_by" | "lead" | "partner" | "recipient"
    file      source name the link was extracted from
    line      1-based line of the evidence (int) or None
    surface   the characters as in the source (OCR errors included) or None
    evidence  the evidence line text or None
    method    how the extractor found it (pattern, cue, header, task ...)

Documents point at documents (``based_on`` ... ``cites``) and at bodies (``issued_by``, ``recipient``,
``lead``, ``partner``). Values missing from the graph are None (never absent), so consumers can read
every attribute unconditionally.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.identity import sparql_prefixes

NODE_ATTRS = ("kind", "label", "key", "type", "type_code", "issuer", "date", "year", "title", "files", "excerpt")
EDGE_ATTRS = ("relation", "file", "line", "surface", "evidence", "method")


def _int(v: str | None) -> int | None:
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def to_networkx(store: Any) -> nx.MultiDiGraph:
    """The documents, unresolved references and bodies of a store (kg.store.GraphStore) and every link
    between them, with the attributes of the module docstring."""
    p = sparql_prefixes()
    g = nx.MultiDiGraph()

    docs = store.select(p + """
        SELECT ?n (SAMPLE(?k) AS ?key) (SAMPLE(?l) AS ?label) (SAMPLE(?tn) AS ?typeName)
               (SAMPLE(?tc) AS ?code) (SAMPLE(?il) AS ?issuer) (MIN(?d) AS ?date) (MIN(?y) AS ?year)
               (SAMPLE(?ti) AS ?title) (SAMPLE(?ex) AS ?excerpt) (SAMPLE(?u) AS ?unresolved)
               (SAMPLE(?nm) AS ?name) WHERE {
          { ?n a eli:LegalResource } UNION { ?n a vn:UnresolvedReference }
          OPTIONAL { ?n vn:key ?k }
          OPTIONAL { ?n rdfs:label ?l }
          OPTIONAL { ?n vn:name ?nm }
          OPTIONAL { ?n eli:type_document ?t0 }
          BIND(COALESCE(?t0, vn:none) AS ?t)
          OPTIONAL { ?t skos:notation ?tc }
          OPTIONAL { ?n vn:typeName ?tn }
          OPTIONAL { ?n vn:issuerName ?il }
          OPTIONAL { ?n eli:date_document ?d }
          OPTIONAL { ?n vn:year ?y }
          OPTIONAL { ?n eli:title ?ti }
          OPTIONAL { ?n vn:excerpt ?ex }
          OPTIONAL { ?n vn:unresolvedBecause ?u }
        } GROUP BY ?n""")
    own_files: dict[str, list[str]] = {}
    for r in store.select(p + "SELECT DISTINCT ?n ?f WHERE { ?n vn:hasText ?s . ?s vn:sourceName ?f }"):
        own_files.setdefault(r["n"], []).append(r["f"])
    citing_files: dict[str, list[str]] = {}
    for r in store.select(p + "SELECT DISTINCT ?n ?f WHERE { ?m vn:refersTo ?n ; vn:sourceFile/vn:sourceName ?f }"):
        citing_files.setdefault(r["n"], []).append(r["f"])
    for r in docs:
        n = r["n"]
        kind = "unresolved" if r["unresolved"] is not None else "document"
        key = r["key"]
        g.add_node(
            n,
            kind=kind,
            label=key or r["name"] or r["label"] or r["title"] or n.rsplit("/", 1)[-1],
            key=key,
            type=r["typeName"],
            type_code=r["code"],
            issuer=r["issuer"],
            date=r["date"],
            year=_int(r["year"]),
            title=r["title"],
            files=sorted(own_files.get(n) or citing_files.get(n) or []),
            excerpt=r["excerpt"],
        )
    for r in store.select(p + "SELECT ?n (SAMPLE(?l) AS ?label) WHERE { ?n a org:Organization . "
                              "OPTIONAL { ?n skos:prefLabel ?l } } GROUP BY ?n"):
        if r["n"] in g:
            continue
        g.add_node(r["n"], kind="body", label=r["label"] or r["n"].rsplit("/", 1)[-1], key=None, type=None,
                   type_code=None, issuer=None, date=None, year=None, title=None, files=[], excerpt=None)

    links = store.select(p + """
        SELECT ?link (SAMPLE(?f) AS ?from) (SAMPLE(?t) AS ?to) (SAMPLE(?rel) AS ?relation) (SAMPLE(?file) AS ?sfile)
               (MIN(?ln) AS ?line) (SAMPLE(?sf) AS ?surface) (SAMPLE(?ev) AS ?evidence) (SAMPLE(?m) AS ?method)
        WHERE {
          ?link vn:linkFrom ?f ; vn:linkTo ?t ; vn:relationType ?rt .
          ?rt skos:notation ?rel .
          ?link vn:evidence? ?e .
          ?e vn:sourceFile/vn:sourceName ?file .
          OPTIONAL { ?e vn:line ?ln }
          OPTIONAL { ?link vn:surface ?sf0 }
          OPTIONAL { ?e vn:surface ?sf1 }
          BIND(COALESCE(?sf0, ?sf1) AS ?sf)
          OPTIONAL { ?e vn:evidenceText ?ev }
          OPTIONAL { ?link vn:method ?m }
        } GROUP BY ?link""")
    for r in links:
        for end in (r["from"], r["to"]):
            if end not in g:  # a node the queries above did not type (should not happen in a built store)
                g.add_node(end, kind="unresolved", label=end.rsplit("/", 1)[-1], key=None, type=None,
                           type_code=None, issuer=None, date=None, year=None, title=None, files=[], excerpt=None)
        g.add_edge(r["from"], r["to"], key=r["link"], relation=r["relation"], file=r["sfile"], line=_int(r["line"]),
                   surface=r["surface"], evidence=r["evidence"], method=r["method"])
    return g
