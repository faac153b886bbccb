"""One text through the pipeline: normalised text → mentions → documents, relations, tasks and bodies.

This is the public entry point (`kg.extract`); the CLI, the graph builder and the spaCy component all call
it, so every consumer sees the same facts with the same offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

from kg.bodies import collect_bodies, document_province, find_recipients, with_province
from kg.citations import Citation, parse_numbers, resolve_damaged, short_forms
from kg.citations import to_mention as citation_mention
from kg.documents import find_documents
from kg.lexicon import restore
from kg.model import Document, Extraction, Mention
from kg.named import find_named
from kg.named import to_mention as named_mention
from kg.normalize import Text, fold_key
from kg.relations import find_relations

# Issuers implied by codes that depend on where the citing document comes from ("87-KH/TU" → Tỉnh ủy X).
_LOCAL_FALLBACKS = ("Tỉnh ủy", "Ủy ban nhân dân", "Hội đồng nhân dân", "Ban Chỉ đạo Công tác thông tin đối ngoại")
_NUMBER_AFTER_NAME = re.compile(r"[ ,]{0,2}\n?[ ]{0,2}(?:s[o0-9a-z]?[ ]?[:.]?[ ]{0,2})?$")


def extract(text: str, *, path: str | None = None) -> Extraction:
    """Extract documents, mentions, relations, tasks and bodies from one text (any Unicode normal form)."""
    from kg.tasks import find_tasks

    t = Text(text)
    cits = resolve_damaged(parse_numbers(t))
    documents, own = find_documents(t, cits)
    own_ids = {id(c) for c in own}
    cits = [c for c in cits if id(c) not in own_ids]
    cits += short_forms(t, cits)
    cits.sort(key=lambda c: c.start)

    named = find_named(t, [(c.start, c.end) for c in cits])
    mentions = _merge(t, cits, named)
    _restore_words(documents, mentions)
    doc_of = _assign(documents, mentions)
    _localise(documents, mentions, doc_of)
    for m, di in zip(mentions, doc_of, strict=True):
        m.in_document = documents[di].ref
    own_titles = [fold_key(d.title) if d.title else "" for d in documents]
    keep = [not _names_itself(m, own_titles[di]) for m, di in zip(mentions, doc_of, strict=True)]
    mentions = [m for m, k in zip(mentions, keep, strict=True) if k]
    doc_of = [d for d, k in zip(doc_of, keep, strict=True) if k]

    for d in documents:
        d.recipients = [b.name for b in find_recipients(t, d.start, d.end, province=document_province(d))]
    title_spans = [(d.title_start, d.title_end) for d in documents]
    relations = find_relations(t, documents, mentions, doc_of, title_spans)
    tasks = find_tasks(t, documents)
    for task in tasks:
        task.text = restore(task.text) if task.text else task.text
    bodies = collect_bodies(t, documents, tasks, mentions)
    return Extraction(documents=documents, mentions=mentions, relations=relations, tasks=tasks, bodies=bodies, path=path)


def _restore_words(documents: list[Document], mentions: list[Mention]) -> None:
    """Names and titles in proper Vietnamese where OCR lost the diacritics (surfaces stay as read). Runs
    before anything refers to a document by its title, so every item uses the same restored words."""
    for d in documents:
        d.title = restore(d.title) if d.title else d.title
    for m in mentions:
        m.name = restore(m.name) if m.name else m.name
        m.title = restore(m.title) if m.title else m.title


def _merge(t: Text, cits: list[Citation], named) -> list[Mention]:
    """Mentions in text order; a name directly followed by its number ("Luật Đầu tư số 61/2020/QH14")
    is one mention: the number is its key, the name its title."""
    out: list[Mention] = []
    by_start = sorted(cits, key=lambda c: c.start)
    starts = [c.start for c in by_start]
    used: set[int] = set()
    for n in named:
        i = bisect_right(starts, n.end)
        merged = False
        for j in (i - 1, i):
            if 0 <= j < len(by_start) and j not in used:
                c = by_start[j]
                own_word = c.start < c.num_start
                gap = t.folded[n.end : c.num_start] if c.num_start >= n.end and not own_word else None
                if gap is not None and len(gap) <= 12 and _NUMBER_AFTER_NAME.search(gap):
                    m = citation_mention(t, c)
                    s, _ = t.span(n.start, n.end)
                    m.start, m.line = s, t.line_of(s)
                    m.surface = t.original[s : m.end]
                    m.type = n.type
                    m.title = m.title or n.name
                    out.append(m)
                    used.add(j)
                    merged = True
                    break
        if not merged:
            out.append(named_mention(t, n))
    out.extend(citation_mention(t, c) for j, c in enumerate(by_start) if j not in used)
    out.sort(key=lambda m: m.start)
    return out


_OWN_TITLE_OPENING = re.compile(r"(?:(?:ve viec |ve )?(?:ban hanh|phe duyet)(?: ve viec)? )?")


def _names_itself(m: Mention, own_title: str) -> bool:
    """ "Kế hoạch thông tin đối ngoại" inside the document titled "Ban hành Kế hoạch thông tin đối ngoại ...":
    a name the document's title opens with (after "Ban hành", "Phê duyệt") is the document speaking of
    itself. Elsewhere in the title it is another document: the law of "Quy định chi tiết một số điều của
    Luật Việc làm", the decree of "Sửa đổi, bổ sung một số điều của Nghị định ..."."""
    if m.key is not None or not m.name or not own_title:
        return False
    name = fold_key(m.name).removeprefix("cac ")
    if len(name.split()) < 3:
        return False
    opening = _OWN_TITLE_OPENING.match(own_title)
    return own_title.startswith(name, opening.end() if opening else 0)


def _assign(documents: list[Document], mentions: list[Mention]) -> list[int]:
    starts = [d.start for d in documents]
    return [max(0, bisect_right(starts, m.start) - 1) for m in mentions]


def _localise(documents: list[Document], mentions: list[Mention], doc_of: list[int]) -> None:
    """Give codes like /TU and -UBND the province of the citing document, where it is known."""
    for m, di in zip(mentions, doc_of, strict=True):
        prov = documents[di].province
        if prov and m.issuer in _LOCAL_FALLBACKS:
            m.issuer = with_province(m.issuer, prov)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)
