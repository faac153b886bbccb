"""The spaCy component `legalkg_citations`: the same extraction, as spans on a spaCy Doc.

Registered through the `spacy_factories` entry point, so after installing legalkg::

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("legalkg_citations")
    doc = nlp("Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ ...")
    [(s.text, s._.key, s._.doc_type) for s in doc.spans["legal_citations"]]

Mentions come from `kg.extract`, whose offsets are character offsets into the original text; they are
mapped onto token boundaries with `Doc.char_span(..., alignment_mode="expand")`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract import extract

SPAN_KEY = "legal_citations"
_ATTRS = ("key", "doc_type", "issuer", "date", "name", "title", "relation", "method")

for _attr in _ATTRS:
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)
if not Doc.has_extension("legalkg"):
    Doc.set_extension("legalkg", default=None)


class CitationComponent:
    """Puts every mention of another document in `doc.spans["legal_citations"]`, label = document type."""

    def __init__(self, nlp: Language, name: str, span_key: str = SPAN_KEY):
        self.name = name
        self.span_key = span_key

    def __call__(self, doc: Doc) -> Doc:
        result = extract(doc.text)
        rel_by_span = {(r.start, r.end): r.type for r in result.relations}
        _split_at(doc, sorted({x for m in result.mentions for x in (m.start, m.end)}))
        spans = []
        for m in result.mentions:
            span = doc.char_span(m.start, m.end, label=m.type or "", alignment_mode="expand")
            if span is None:
                continue
            span._.key = m.key
            span._.doc_type = m.type
            span._.issuer = m.issuer
            span._.date = m.date
            span._.name = m.name
            span._.title = m.title
            span._.method = m.method
            span._.relation = rel_by_span.get((m.start, m.end))
            spans.append(span)
        doc.spans[self.span_key] = spans
        doc._.legalkg = result
        return doc


def _split_at(doc: Doc, offsets: list[int]) -> None:
    """Split tokens so that every mention starts and ends on a token boundary ("1486/QĐ-TTg." → number, ".")."""
    cuts: dict[int, list[int]] = {}
    for off in offsets:
        for tok in doc:
            if tok.idx < off < tok.idx + len(tok.text):
                cuts.setdefault(tok.i, []).append(off - tok.idx)
                break
    if not cuts:
        return
    with doc.retokenize() as retok:
        for i, ats in cuts.items():
            tok = doc[i]
            bounds = [0, *sorted(set(ats)), len(tok.text)]
            parts = [tok.text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            retok.split(tok, parts, heads=[(tok, 0)] * len(parts))


@Language.factory("legalkg_citations", default_config={"span_key": SPAN_KEY})
def make_citation_component(nlp: Language, name: str, span_key: str) -> CitationComponent:
    return CitationComponent(nlp, name, span_key)
