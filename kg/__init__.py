"""legalkg: Vietnamese legal and administrative documents into a citation knowledge graph.

The public API is small on purpose: the CLI, the notebooks and the spaCy component all go through it.
"""

from kg.extract import extract
from kg.model import Body, Document, Extraction, Mention, Relation, Task

__all__ = ["extract", "Extraction", "Document", "Mention", "Relation", "Task", "Body"]
# API-ANCHOR (graph/views helpers add their public names below this line)
