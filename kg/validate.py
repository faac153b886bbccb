"""Validate a store against the SHACL shapes of ontology/shapes.ttl (pyshacl).

The data graph is the union of the store's graphs (the shapes span files: a document cited in one file
is described in another), handed to pyshacl as one rdflib graph. pyshacl is pure Python: this takes
seconds for the samples and about a minute for a few hundred documents; it is a check for builds and
CI, not something queries depend on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

SHAPES = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"


@dataclass
class ValidationReport:
    conforms: bool
    violations: int
    triples: int
    text: str
    by_shape: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.conforms:
            return f"conforms: {self.triples:,} triples pass the SHACL shapes ({SHAPES.name})"
        top = ", ".join(f"{k} ({v})" for k, v in sorted(self.by_shape.items(), key=lambda kv: -kv[1])[:5])
        return f"does not conform: {self.violations} violation(s) in {self.triples:,} triples; {top}"


def union_graph(store: Any) -> Any:
    """The union of the store's graphs as an rdflib Graph (via N-Triples, Oxigraph's serialiser)."""
    import rdflib

    triples = store.store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    return g


def validate(store: Any, shapes: str | Path | None = None) -> ValidationReport:
    """Run the shapes over the store's union graph."""
    import rdflib
    from pyshacl import validate as shacl

    data = union_graph(store)
    sg = rdflib.Graph()
    sg.parse(str(shapes or SHAPES), format="turtle")
    conforms, results, text = shacl(data, shacl_graph=sg, inference="none", advanced=True, allow_warnings=False)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    by_shape: dict[str, int] = {}
    n = 0
    for r in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        n += 1
        src = results.value(r, sh.sourceShape)
        path = results.value(r, sh.resultPath)
        name = re.sub(r"^.*[#/]", "", str(path) if path is not None else str(src))
        by_shape[name] = by_shape.get(name, 0) + 1
    return ValidationReport(bool(conforms), n, len(data), text, by_shape)
