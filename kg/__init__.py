"""legalkg: Vietnamese legal and administrative documents into a citation knowledge graph.

The public API is small on purpose: the CLI, the notebooks and the spaCy component all go through it.
"""

from kg.extract import extract
from kg.model import Body, Document, Extraction, Mention, Relation, Task

__all__ = ["extract", "Extraction", "Document", "Mention", "Relation", "Task", "Body"]
# API-ANCHOR (graph/views helpers add their public names below this line)
# Graph API, imported lazily (pyoxigraph and the store are not needed to extract):
#   kg.build(paths, store=None, ...) -> BuildReport      build or update a store
#   kg.open_store(path=None) -> GraphStore               open a store for reading
#   kg.query(store, spec, params) -> kg.query.Result     a shipped question, a .rq file or SPARQL text
#   kg.trace(store, key, depth=None) -> [TraceNode]      what implements / guides / is based on a document
#   kg.to_networkx(store) -> networkx.MultiDiGraph       documents, references, bodies and their links
_GRAPH_API = {"build": "kg.build", "query": "kg.query", "trace": "kg.trace", "open_store": "kg.store",
              "to_networkx": "kg.network"}
__all__ += list(_GRAPH_API)
# Views:
#   kg.render(graph, out_path, center=None, radius=1, types=None, issuers=None, since=None, relations=None)
#       -> Path                                          the interactive page (one offline HTML file)
_GRAPH_API["render"] = "kg.render"
__all__.append("render")


def __getattr__(name: str):  # noqa: ANN202 - lazy import of the graph API
    if name in _GRAPH_API:
        import importlib

        mod = importlib.import_module(_GRAPH_API[name])
        return mod if name in ("build", "query", "trace") else getattr(mod, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
