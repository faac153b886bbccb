"""Export the store: RDF (Turtle, N-Quads, JSON-LD) or the document network (GraphML, GEXF, CSV).

* ``ttl``     the union of all graphs as Turtle (named graphs flattened; one statement per triple);
* ``nq``      every quad with its named graph (one graph per source file, plus meta, derived, ontology):
              the format to load into Oxigraph, Jena Fuseki or QLever;
* ``jsonld``  the whole dataset as JSON-LD (named graphs kept);
* ``graphml``, ``gexf``  the networkx graph of kg.network (Gephi, Cytoscape, yEd); list attributes
              are joined with "; " and missing values left out, as both formats require;
* ``csv``     the same network as two tables: ``edges`` (source, target, relation, evidence ...) and
              ``nodes``; written as ``NAME.csv`` + ``NAME.nodes.csv`` (or ``edges.csv`` + ``nodes.csv``
              in a folder); to standard output the edge table only.
"""

from __future__ import annotations

import csv
import io
import os
from typing import IO, Any

import pyoxigraph as ox

from kg.identity import PREFIXES

FORMATS = ("ttl", "nq", "jsonld", "graphml", "gexf", "csv")


class ExportError(Exception):
    """A one-line problem with an export (unknown format, unwritable output)."""


def export(store: Any, fmt: str, output: str | os.PathLike[str] | IO[bytes] | None = None) -> bytes | None:
    """Write the store in ``fmt`` to ``output`` (a path or a binary stream); with no output, return bytes.

    For ``csv`` and a path, also writes the node table beside it (see module docstring)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "csv" and isinstance(output, (str, os.PathLike)):
        return _csv_files(store, os.fspath(output))
    data = _render(store, fmt)
    if output is None:
        return data
    if isinstance(output, (str, os.PathLike)):
        try:
            with open(output, "wb") as f:
                f.write(data)
        except OSError as e:
            raise ExportError(f"cannot write {os.fspath(output)}: {e.strerror or e}") from None
    else:
        output.write(data)
    return None


def _render(store: Any, fmt: str) -> bytes:
    st = store.store
    if fmt == "nq":
        return st.dump(format=ox.RdfFormat.N_QUADS)
    if fmt == "jsonld":
        return st.dump(format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES)
    if fmt == "ttl":
        triples = st.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    from kg.network import to_networkx

    g = to_networkx(store)
    if fmt == "csv":
        return edges_csv(g).encode("utf-8")
    flat = _flatten(g)
    import networkx as nx

    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buf, encoding="utf-8")
    else:
        nx.write_gexf(flat, buf, encoding="utf-8")
    return buf.getvalue()


def _flatten(g: Any) -> Any:
    """A copy whose attributes are scalars (GraphML/GEXF cannot hold lists or None)."""
    import networkx as nx

    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: ("; ".join(v) if isinstance(v, list) else v) for k, v in d.items() if v is not None})
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **{a: b for a, b in d.items() if b is not None})
    return h


EDGE_COLUMNS = ("source", "source_label", "target", "target_label", "relation", "file", "line", "surface", "method",
                "evidence", "link")
NODE_COLUMNS = ("id", "kind", "label", "key", "type", "type_code", "issuer", "date", "year", "title", "files",
                "excerpt")


def edges_csv(g: Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EDGE_COLUMNS)
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[3].get("relation") or "", e[2]))
    for u, v, k, d in edges:
        w.writerow([u, g.nodes[u].get("label"), v, g.nodes[v].get("label"), d.get("relation"), d.get("file"),
                    d.get("line"), d.get("surface"), d.get("method"), d.get("evidence"), k])
    return buf.getvalue()


def nodes_csv(g: Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(NODE_COLUMNS)
    for n, d in sorted(g.nodes(data=True)):
        w.writerow([n] + [("; ".join(d[c]) if isinstance(d.get(c), list) else d.get(c)) for c in NODE_COLUMNS[1:]])
    return buf.getvalue()


def _csv_files(store: Any, path: str) -> None:
    from kg.network import to_networkx

    g = to_networkx(store)
    if os.path.isdir(path) or not path.lower().endswith(".csv"):
        os.makedirs(path, exist_ok=True)
        edges, nodes = os.path.join(path, "edges.csv"), os.path.join(path, "nodes.csv")
    else:
        edges, nodes = path, path[:-4] + ".nodes.csv"
    try:
        with open(edges, "w", encoding="utf-8", newline="") as f:
            f.write(edges_csv(g))
        with open(nodes, "w", encoding="utf-8", newline="") as f:
            f.write(nodes_csv(g))
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e.strerror or e}") from None
    return None
