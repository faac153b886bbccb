"""Extraction → RDF: the quads one source file contributes, all in that file's own named graph.

The input is the extraction dict (``kg.extract(text).to_dict()``, the shape of gold/SCHEMA.md plus
offsets); the output is N-Quads text (fast to produce in worker processes and to bulk-load) or
pyoxigraph quads. The graph of a file is a pure function of the file: re-extracting it replaces exactly
its statements, and the same input always gives the same IRIs (no blank nodes, no timestamps).

A file graph holds what the file says, and only that:

* the source (``vn:SourceFile``) with its content hash;
* each document whose own text is in the file (``eli:LegalResource``: number, type, issuer, date,
  title, signer, recipients, an excerpt);
* each mention as a ``vn:Citation``: the node identity (kg.identity) resolves it to, the evidence
  (file, line, offsets in the original text, surface, method, the evidence sentence) and what the
  citing words state about the cited document (number or name, type, date, issuer, title);
* each relation both as a direct triple (with its ELI super-property written out, since engines do
  not infer) and as a ``vn:Link`` node whose evidence is the citation it rests on (``vn:evidence``)
  or, when no citation covers it, its own file, line, offsets and surface; links from documents to
  bodies (issued by, recipient, lead, partner) are ``vn:Link`` nodes too, a lead or partner resting on
  its task row;
* tasks (``vn:Task``) with their lead and partner bodies, and the names the file gives bodies.

What several files may say about the same node — the description of a document known only from
citations, the preferred label and province of a body — is not repeated in each file graph: the
store's derived graph states it once (kg.build.refresh_derived). Queries run over the union of all
graphs, where a fact written by a hundred files would otherwise match a hundred times.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kg.bodies import with_province
from kg.identity import (
    DCT,
    ELI,
    ORG,
    PROV,
    RDF,
    RDFS,
    REL_TYPE,
    SKOS,
    VN,
    XSD,
    Identity,
    Resolution,
    document_type_iri,
    is_local_body_name,
    lookup_form,
    parse_key,
    place_of,
    place_phrase,
    province_of,
    year_of,
)
from kg.normalize import clean_surface, fold

# relation type → the properties written for it: its own, then the ELI super-property (DESIGN.md §2)
RELATION_PROPERTIES: dict[str, tuple[str, ...]] = {
    "based_on": (ELI + "based_on",),
    "implements": (VN + "implements", ELI + "ensures_implementation_of"),
    "guides": (VN + "guides", ELI + "refers_to"),
    "amends": (ELI + "amends",),
    "replaces": (VN + "replaces", ELI + "repeals"),
    "repeals": (ELI + "repeals",),
    "cites": (ELI + "cites",),
}
DOCUMENT_RELATIONS = tuple(RELATION_PROPERTIES)
BODY_RELATIONS = ("issued_by", "recipient", "lead", "partner")

A = RDF + "type"


# --------------------------------------------------------------------------------------------------
# N-Triples terms


_ESC = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}
_ESC.update({c: f"\\u{c:04X}" for c in range(0x20) if c not in (0x0A, 0x0D)})
_ESC.update({c: "\uFFFD" for c in range(0xD800, 0xE000)})  # lone surrogates cannot be written as UTF-8
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@lru_cache(maxsize=200_000)
def iri(value: str) -> str:
    """An IRI term; characters IRIs forbid are percent-encoded."""
    if _BAD_IRI.search(value):
        value = _BAD_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), value)
    return f"<{value}>"


def lit(value: object, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal term (strings escaped; ints and dates typed)."""
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}integer>'
    if isinstance(value, float):
        return f'"{value!r}"^^<{XSD}double>'
    s = str(value).translate(_ESC)
    if lang:
        return f'"{s}"@{lang}'
    if datatype:
        return f'"{s}"^^<{datatype}>'
    return f'"{s}"'


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_lit(value: str | None) -> str | None:
    if value and _ISO_DATE.match(value):
        return lit(value, datatype=XSD + "date")
    return None


class QuadWriter:
    """Collects N-Quads lines for one named graph, dropping exact duplicates (order kept: repeatable)."""

    def __init__(self, graph: str) -> None:
        self.g = iri(graph)
        self._seen: set[str] = set()
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str | None) -> None:
        """Add ``s p o``; ``s``/``p`` are IRIs, ``o`` a term from :func:`iri`/:func:`lit` (None: skipped)."""
        if o is None:
            return
        line = f"{iri(s)} {iri(p)} {o} {self.g} .\n"
        if line not in self._seen:
            self._seen.add(line)
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def __len__(self) -> int:
        return len(self.lines)


# --------------------------------------------------------------------------------------------------
# The mapping


@dataclass
class FileGraph:
    """The quads of one source file and a few numbers about them."""

    graph: str
    nquads: str
    triples: int
    documents: int  # documents whose own text is in the file
    references: int  # distinct cited nodes
    unresolved: int  # distinct cited nodes that stay unresolved
    links: int
    stats: dict[str, Any] = field(default_factory=dict)


class _Lines:
    """Line texts of the source, for evidence sentences and excerpts."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self.starts: list[int] = []
        if text is not None:
            self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, n: int | None) -> str | None:
        if self.text is None or not n or n < 1 or n > len(self.starts):
            return None
        s = self.starts[n - 1]
        e = self.starts[n] - 1 if n < len(self.starts) else len(self.text)
        return self.text[s:e]

    def span(self, start: int | None, end: int | None, line: int | None, limit: int = 400) -> str | None:
        """The whole lines around ``[start, end)`` (or line ``line``), on one line, at most ``limit`` chars."""
        if self.text is None:
            return None
        if start is not None and end is not None and 0 <= start <= end <= len(self.text) and end > start:
            s = self.text.rfind("\n", 0, start) + 1
            e = self.text.find("\n", end)
            e = len(self.text) if e < 0 else e
            if e - s > limit:  # a long paragraph: keep a window around the span
                s = max(s, start - limit // 3)
                e = min(e, s + limit)
            chunk = self.text[s:e]
        else:
            chunk = self.line(line)
        if chunk is None:
            return None
        out = re.sub(r"\s+", " ", chunk).strip()
        return out[:limit] or None

    def excerpt(self, start: int | None, first_line: int | None, end: int | None = None,
                limit: int = 300) -> str | None:
        """The first non-empty lines of a document's own text, joined, at most ``limit`` chars."""
        if self.text is None:
            return None
        if start is None or not (0 <= start < len(self.text)):
            if first_line and 1 <= first_line <= len(self.starts):
                start = self.starts[first_line - 1]
            else:
                start = 0
        stop = min(len(self.text), end if end and end > start else len(self.text), start + 4 * limit)
        parts: list[str] = []
        size = 0
        for raw in self.text[start:stop].split("\n"):
            line = re.sub(r"\s+", " ", raw).strip(" *#_|")
            if not line:
                continue
            parts.append(line)
            size += len(line) + 3
            if size >= limit or len(parts) >= 6:
                break
        out = " / ".join(parts)
        return out[:limit] or None


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    return clean_surface(str(s)) or None


def _is_ocr_variant(alias: str, name: str) -> bool:
    """Aliases that only OCR could produce (lost diacritics, line breaks) go to skos:hiddenLabel."""
    if "\n" in alias:
        return True
    a = _clean(alias) or ""
    if a.isupper() and len(a) <= 12:  # an abbreviation: BTTTT, UBND
        return False
    has_marks = any(ord(c) > 127 for c in a)
    name_marks = any(ord(c) > 127 for c in name)
    return (name_marks and not has_marks) or (fold(a) == fold(name) and a != name and not a.isupper())


def source_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def extraction_to_graph(
    ext: dict[str, Any],
    source_key: str,
    *,
    name: str | None = None,
    text: str | None = None,
    identity: Identity | None = None,
    meta: dict[str, Any] | None = None,
    content_hash: str | None = None,
) -> FileGraph:
    """The named graph of one source: ``ext`` is an extraction dict, ``source_key`` the stable name of the
    source (absolute path, or ``path#id`` for a corpus line), ``name`` how to show it (default: the key),
    ``text`` the source text (for evidence sentences and excerpts; optional)."""
    return _Mapper(ext, source_key, name or source_key, text, identity or Identity(), meta, content_hash).run()


def extraction_to_nquads(ext: dict[str, Any], source_key: str, **kw: Any) -> str:
    """Like :func:`extraction_to_graph`, only the N-Quads text."""
    return extraction_to_graph(ext, source_key, **kw).nquads


def extraction_to_quads(ext: dict[str, Any], source_key: str, **kw: Any) -> list[Any]:
    """Like :func:`extraction_to_graph`, as a list of ``pyoxigraph.Quad``."""
    import pyoxigraph as ox

    return list(ox.parse(extraction_to_nquads(ext, source_key, **kw), format=ox.RdfFormat.N_QUADS))


class _Mapper:
    def __init__(
        self,
        ext: dict[str, Any],
        source_key: str,
        name: str,
        text: str | None,
        ident: Identity,
        meta: dict[str, Any] | None,
        content_hash: str | None,
    ) -> None:
        self.ext = ext
        self.key = source_key
        self.name = name
        self.lines = _Lines(text)
        self.id = ident
        self.meta = meta or {}
        self.hash = content_hash or (source_hash(text) if text is not None else None)
        self.graph = ident.graph(source_key)
        self.src = ident.source(source_key)
        self.w = QuadWriter(self.graph)
        self.doc_iris: list[str] = []
        self.doc_places: list[str | None] = []
        self.ref_to_doc: dict[str, int] = {}
        self.mention_res: list[Resolution | None] = []
        self.cited: dict[str, bool] = {}
        self.place_names: dict[str, tuple[str, str]] = {}  # place slug of a document's issuer → its province
        self.place_labels: dict[str, str] = {}  # place slug → how to say it ("tỉnh Bình Định")
        self.n_links = 0
        self._by_lookup: dict[str, list[int]] | None = None
        self.mention_nodes: dict[int, str] = {}
        self.span_nodes: dict[tuple[int, int], str] = {}
        self._last_endpoint_mention: int | None = None

    # helpers ---------------------------------------------------------------------------------------

    def add(self, s: str, p: str, o: str | None) -> None:
        self.w.add(s, p, o)

    def evidence(self, node: str, *, line: Any, start: Any, end: Any, surface: Any, method: Any,
                 confidence: Any = None, text: str | None = None) -> None:
        self.add(node, VN + "sourceFile", iri(self.src))
        if isinstance(line, int) and line > 0:
            self.add(node, VN + "line", lit(line))
        if isinstance(start, int) and isinstance(end, int) and end > start >= 0:
            self.add(node, VN + "start", lit(start))
            self.add(node, VN + "end", lit(end))
        if surface:
            self.add(node, VN + "surface", lit(surface))
        self.add(node, VN + "method", lit(str(method or "unknown")))
        if isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and confidence < 0.9995:
            # a confidence of 1 is the default and not written: the graph stays smaller
            c = min(1.0, max(0.0, float(confidence)))
            self.add(node, VN + "confidence", lit(f"{c:.3f}", datatype=XSD + "decimal"))
        ev = text if text is not None else self.lines.span(
            start if isinstance(start, int) else None, end if isinstance(end, int) else None,
            line if isinstance(line, int) else None)
        if ev:
            self.add(node, VN + "evidenceText", lit(ev, lang="vi"))

    def body(self, name: str | None, place: str | None) -> str | None:
        n = _clean(name)
        if not n:
            return None
        b = self.id.body(n, place)
        self.add(b, A, iri(ORG + "Organization"))
        qualified = bool(place and is_local_body_name(n) and place_of(n) is None)
        label = n
        if qualified and self.place_labels.get(place):
            # "Sở Thông tin và Truyền thông" of a Bình Định plan is shown as that province's Sở (the derived
            # graph reads the province back from this label)
            label = with_province(n, self.place_labels[place])
        # names that fold to the same IRI may differ in case ("Bộ Công thương"): the derived graph picks
        # one skos:prefLabel among the rdfs:label of every file
        self.add(b, RDFS + "label", lit(label, lang="vi"))
        return b

    def doc_index_for(self, ref: Any, line: Any) -> int | None:
        if isinstance(ref, str) and ref in self.ref_to_doc:
            return self.ref_to_doc[ref]
        if isinstance(ref, str) and _clean(ref) in self.ref_to_doc:
            return self.ref_to_doc[_clean(ref)]
        if not self.doc_iris:
            return None
        if isinstance(line, int):
            best = None
            for i, d in enumerate(self.ext.get("documents") or []):
                if (d.get("first_line") or 1) <= line:
                    best = i
            return best if best is not None else 0
        return 0

    def context_place(self, doc_index: int | None) -> str | None:
        if doc_index is not None and self.doc_places[doc_index]:
            return self.doc_places[doc_index]
        return next((p for p in self.doc_places if p), None)

    # the graph -------------------------------------------------------------------------------------

    def run(self) -> FileGraph:
        self.source_node()
        self.documents()
        self.mentions()
        self.relations()
        self.tasks()
        self.bodies()
        nq = self.w.text()
        return FileGraph(
            graph=self.graph,
            nquads=nq,
            triples=len(self.w),
            documents=len(self.doc_iris),
            references=len(self.cited),
            unresolved=sum(1 for r in self.cited.values() if not r),
            links=self.n_links,
        )

    def source_node(self) -> None:
        s = self.src
        self.add(s, A, iri(VN + "SourceFile"))
        self.add(s, A, iri(PROV + "Entity"))
        self.add(s, VN + "sourceName", lit(self.name))
        self.add(s, RDFS + "label", lit(self.name))
        if self.hash:
            self.add(s, VN + "contentHash", lit(self.hash))
        if self.lines.text is not None:
            self.add(s, VN + "charCount", lit(len(self.lines.text)))
            self.add(s, VN + "lineCount", lit(len(self.lines.starts)))
        for k in ("id", "upstream_url", "source"):
            v = self.meta.get(k)
            if isinstance(v, str) and v:
                p = {"id": VN + "corpusId", "upstream_url": DCT + "source", "source": VN + "corpusSource"}[k]
                self.add(s, p, iri(v) if k == "upstream_url" and re.match(r"^https?://\S+$", v) else lit(v))
        if self.meta.get("encoding"):
            self.add(s, VN + "encoding", lit(str(self.meta["encoding"])))

    def _numbered(self, node: str, key: str, resolved: bool) -> None:
        """Facts that follow from a number alone (the same in every file that cites it)."""
        parts = parse_key(key)
        self.add(node, VN + "key", lit(key))
        self.add(node, VN + "lookupKey", lit(lookup_form(key)))
        if resolved:
            self.add(node, ELI + "id_local", lit(key))
        if parts is not None:
            self.add(node, ELI + "number" if resolved else VN + "number", lit(parts.number))
            if parts.type_code:
                t = document_type_iri(code=parts.type_code)
                if t:
                    self.add(node, ELI + "type_document", iri(t))
            if parts.system == "party" and resolved:
                self.add(node, A, iri(VN + "PartyDocument"))
            self.add(node, VN + "numberingSystem", lit(parts.system))

    def documents(self) -> None:
        docs = self.ext.get("documents") or []
        keyless = 0
        for i, d in enumerate(docs):
            key = _clean(d.get("key"))
            issuer = _clean(d.get("issuer"))
            place = place_of(issuer)
            self.doc_places.append(place)
            prov = province_of(issuer)
            if place and prov:
                self.place_names.setdefault(place, prov)
            if place and issuer:
                self.place_labels.setdefault(place, place_phrase(issuer))
            res = self.id.document(key, issuer=issuer, date=d.get("date"), context_place=place) if key else None
            if res is not None and res.resolved:
                node = res.iri
            else:
                keyless += 1
                node = self.id.keyless(self.key, keyless)
            self.doc_iris.append(node)
            for ref in (key, _clean(d.get("title")), d.get("ref")):
                if ref and ref not in self.ref_to_doc:
                    self.ref_to_doc[ref] = i
            if not key and not d.get("title"):
                self.ref_to_doc.setdefault(f"document@{d.get('first_line')}", i)

        for i, d in enumerate(docs):
            node = self.doc_iris[i]
            key = _clean(d.get("key"))
            self.add(node, A, iri(ELI + "LegalResource"))
            self.add(node, A, iri(VN + "Document"))
            self.add(node, VN + "hasText", iri(self.src))
            self.add(node, PROV + "wasDerivedFrom", iri(self.src))
            if key:
                self._numbered(node, key, resolved=True)
                if d.get("number_surface"):
                    self.add(node, VN + "numberSurface", lit(d["number_surface"]))
            if isinstance(d.get("first_line"), int):
                self.add(node, VN + "firstLine", lit(d["first_line"]))
            tname = _clean(d.get("type"))
            parts = parse_key(key) if key else None
            if tname:
                self.add(node, VN + "typeName", lit(tname, lang="vi"))
                if not (parts and parts.type_code):
                    t = document_type_iri(tname)
                    if t:
                        self.add(node, ELI + "type_document", iri(t))
            issuer = _clean(d.get("issuer"))
            b = self.body(issuer, self.doc_places[i])
            if b:
                self.add(node, ELI + "passed_by", iri(b))
                self._body_link(node, b, "issued_by", d, surface=d.get("number_surface") or issuer)
            dl = date_lit(d.get("date"))
            if dl:
                self.add(node, ELI + "date_document", dl)
            y = year_of(d.get("date")) or (parts.year if parts else None)
            if y:
                self.add(node, VN + "year", lit(y))
            title = _clean(d.get("title"))
            if title:
                self.add(node, ELI + "title", lit(title, lang="vi"))
            self.add(node, RDFS + "label", lit(key or title or f"{tname or 'Văn bản'} ({self.name})"))
            if d.get("signer"):
                self.add(node, VN + "signer", lit(_clean(d["signer"])))
            for r in d.get("recipients") or []:
                rb = self.body(r, self.doc_places[i])
                if rb:
                    self.add(node, VN + "recipient", iri(rb))
                    self._body_link(node, rb, "recipient", d, surface=_clean(r))
            if d.get("place"):
                self.add(node, VN + "placeName", lit(_clean(d["place"])))
            ex = self.lines.excerpt(d.get("start"), d.get("first_line"), d.get("end"))
            if ex:
                self.add(node, VN + "excerpt", lit(ex, lang="vi"))

    def _body_link(self, doc: str, body: str, rel: str, d: dict[str, Any], *, surface: str | None,
                   line: int | None = None, start: int | None = None, end: int | None = None,
                   method: str = "header", text: str | None = None, evidence: str | None = None) -> None:
        ln = line if line is not None else d.get("first_line")
        link = self.id.node("link", self.key, doc, body, rel, ln, start)
        self.add(link, A, iri(VN + "Link"))
        self.add(link, VN + "linkFrom", iri(doc))
        self.add(link, VN + "linkTo", iri(body))
        self.add(link, VN + "relationType", iri(REL_TYPE + rel))
        if evidence is not None:  # a lead or partner: the task row is the evidence
            self.add(link, VN + "evidence", iri(evidence))
            self.add(link, VN + "method", lit(method))
            if surface:
                self.add(link, VN + "surface", lit(surface))
        else:
            self.evidence(link, line=ln, start=start, end=end, surface=surface, method=method, text=text)
        self.n_links += 1

    def mentions(self) -> None:
        ms = self.ext.get("mentions") or []
        own_by_lookup: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.ext.get("documents") or []):
            if d.get("key"):
                own_by_lookup[lookup_form(d["key"])].append(i)
        first: list[Resolution | None] = []
        doc_of: list[int | None] = []
        for m in ms:
            di = self.doc_index_for(m.get("in_document"), m.get("line"))
            doc_of.append(di)
            key = _clean(m.get("key"))
            if key:
                first.append(self.id.document(key, issuer=_clean(m.get("issuer")), date=m.get("date"),
                                              context_place=self.context_place(di)))
            elif _clean(m.get("name")):
                first.append(self.id.named(_clean(m["name"])))
            else:
                first.append(None)
        # Same-file rule: a number cited again without its date (or its province) is the document the
        # same file cites with them, when exactly one such document is cited there.
        resolved_by_lookup: dict[str, set[tuple[str, int | None]]] = defaultdict(set)
        for m, r in zip(ms, first, strict=True):
            if r is not None and r.resolved and m.get("key"):
                resolved_by_lookup[lookup_form(m["key"])].add((r.iri, r.year))
        for i, d in enumerate(self.ext.get("documents") or []):
            if d.get("key") and not self.doc_iris[i].startswith(self.id.base + "doc/"):
                r = self.id.document(d["key"], issuer=d.get("issuer"), date=d.get("date"),
                                     context_place=self.doc_places[i])
                resolved_by_lookup[lookup_form(d["key"])].add((self.doc_iris[i], r.year))
        final: list[Resolution | None] = []
        for m, r in zip(ms, first, strict=True):
            key = m.get("key")
            if r is None or r.resolved or not key:
                final.append(r)
                continue
            lk = lookup_form(key)
            # the document's own number cited inside it ("Kế hoạch 119/KH-UBND" in its own text)
            owns = [i for i in own_by_lookup.get(lk, []) if r.year is None or _doc_year(self.ext, i) in (None, r.year)]
            if len(owns) == 1:
                final.append(Resolution(self.doc_iris[owns[0]], True, None, r.year, None, "same-file"))
                continue
            cands = {(iri_, y) for iri_, y in resolved_by_lookup.get(lk, set()) if r.year is None or y == r.year}
            if len({c[0] for c in cands}) == 1:
                final.append(Resolution(next(iter(cands))[0], True, None, next(iter(cands))[1], None, "same-file"))
            else:
                final.append(r)
        self.mention_res = final

        for idx, (m, r) in enumerate(zip(ms, final, strict=True)):
            if r is None:
                continue
            di = doc_of[idx]
            key = _clean(m.get("key"))
            target = r.iri
            self.cited[target] = self.cited.get(target, False) or r.resolved
            node = self.id.node("mention", self.key, idx, m.get("start"), m.get("end"), key or m.get("name"))
            self.mention_nodes[idx] = node
            if isinstance(m.get("start"), int) and isinstance(m.get("end"), int):
                self.span_nodes.setdefault((m["start"], m["end"]), node)
            self.add(node, A, iri(VN + "Citation"))
            if di is not None:
                self.add(node, VN + "inDocument", iri(self.doc_iris[di]))
            self.add(node, VN + "refersTo", iri(target))
            self.add(node, VN + "resolution", lit(r.method if r.resolved else "unresolved"))
            if r.reason:
                self.add(node, VN + "unresolvedBecause", lit(r.reason))
            self.evidence(node, line=m.get("line"), start=m.get("start"), end=m.get("end"),
                          surface=m.get("surface"), method=m.get("method") or "pattern",
                          confidence=m.get("confidence"))
            if key:
                self.add(node, VN + "statedKey", lit(key))
            if _clean(m.get("name")):
                self.add(node, VN + "statedName", lit(_clean(m["name"]), lang="vi"))
            if _clean(m.get("type")):
                self.add(node, VN + "statedType", lit(_clean(m["type"]), lang="vi"))
            iss = _clean(m.get("issuer"))
            if iss:
                b = self.body(iss, self.context_place(di))
                self.add(node, VN + "statedIssuer", iri(b))
            dl = date_lit(m.get("date"))
            if dl:
                self.add(node, VN + "statedDate", dl)
            if _clean(m.get("title")):
                self.add(node, VN + "statedTitle", lit(_clean(m["title"]), lang="vi"))

    def _endpoint(self, ref: Any, rel: dict[str, Any], role: str) -> str | None:
        """The node a relation's ``from``/``to`` names: an own document, a cited number or a name."""
        if not isinstance(ref, str) or not ref.strip():
            return None
        ref = ref.strip()
        self._last_endpoint_mention = None
        ms = self.ext.get("mentions") or []
        if ref in self.ref_to_doc or _clean(ref) in self.ref_to_doc:
            i = self.ref_to_doc.get(ref, self.ref_to_doc.get(_clean(ref)))
            own = self.doc_iris[i]
            # an own number is that document, unless the relation sits on a mention of another document
            # with the same number (never the case for own numbers in practice)
            return own
        lk = lookup_form(ref)
        best: tuple[int, int] | None = None
        rs, re_ = rel.get("start"), rel.get("end")
        line = rel.get("evidence_line")
        if self._by_lookup is None:
            self._by_lookup = defaultdict(list)
            for i, m in enumerate(ms):
                mk = m.get("key") or m.get("name")
                if mk and i < len(self.mention_res) and self.mention_res[i] is not None:
                    self._by_lookup[lookup_form(mk)].append(i)
        for i in self._by_lookup.get(lk, ()):
            m = ms[i]
            if isinstance(rs, int) and isinstance(re_, int) and isinstance(m.get("start"), int) and re_ > rs:
                overlap = min(re_, m.get("end") or 0) - max(rs, m["start"])
                if overlap > 0 and role == "to":
                    dist = -1
                else:
                    dist = abs((m.get("line") or 0) - (line or 0)) if isinstance(line, int) else 10**6
            else:
                dist = abs((m.get("line") or 0) - (line or 0)) if isinstance(line, int) else 10**6
            if best is None or dist < best[0]:
                best = (dist, i)
        if best is not None:
            self._last_endpoint_mention = best[1]
            return self.mention_res[best[1]].iri
        if parse_key(ref) is not None:
            di = self.doc_index_for(None, line)
            r = self.id.document(ref, context_place=self.context_place(di))
            self._cited_node(r, ref, None, rel)
            return r.iri
        r = self.id.named(ref)
        self._cited_node(r, None, ref, rel)
        return r.iri

    def _cited_node(self, r: Resolution, key: str | None, name: str | None, rel: dict[str, Any] | None = None) -> None:
        """A relation names a document no mention covers: record the reference as a citation of its own,
        with the relation's evidence, so the node is described like every cited node."""
        rel = rel or {}
        node = self.id.node("mention", self.key, "relation-endpoint", r.iri, rel.get("evidence_line"), rel.get("start"))
        self.add(node, A, iri(VN + "Citation"))
        self.add(node, VN + "refersTo", iri(r.iri))
        self.add(node, VN + "resolution", lit(r.method if r.resolved else "unresolved"))
        if r.reason:
            self.add(node, VN + "unresolvedBecause", lit(r.reason))
        if key:
            self.add(node, VN + "statedKey", lit(key))
        if name:
            self.add(node, VN + "statedName", lit(name, lang="vi"))
        di = self.doc_index_for(None, rel.get("evidence_line"))
        if di is not None:
            self.add(node, VN + "inDocument", iri(self.doc_iris[di]))
        self.evidence(node, line=rel.get("evidence_line"), start=rel.get("start"), end=rel.get("end"),
                      surface=rel.get("surface") or key or name, method="relation-endpoint")
        self.cited[r.iri] = self.cited.get(r.iri, False) or r.resolved

    def relations(self) -> None:
        for rel in self.ext.get("relations") or []:
            rtype = rel.get("type")
            if rtype not in RELATION_PROPERTIES:
                continue
            src = self._endpoint(rel.get("from", rel.get("source")), rel, "from")
            dst = self._endpoint(rel.get("to", rel.get("target")), rel, "to")
            to_mention = self._last_endpoint_mention
            if not src or not dst or src == dst:
                continue
            for p in RELATION_PROPERTIES[rtype]:
                self.add(src, p, iri(dst))
            link = self.id.node("link", self.key, src, dst, rtype, rel.get("evidence_line"), rel.get("start"))
            self.add(link, A, iri(VN + "Link"))
            self.add(link, VN + "linkFrom", iri(src))
            self.add(link, VN + "linkTo", iri(dst))
            self.add(link, VN + "relationType", iri(REL_TYPE + rtype))
            if _clean(rel.get("cue")):
                self.add(link, VN + "cue", lit(_clean(rel["cue"]), lang="vi"))
            ev = self._citation_for(rel, to_mention)
            if ev is not None:
                # the evidence is the citation of the target: point at it rather than copy it
                self.add(link, VN + "evidence", iri(ev))
                self.add(link, VN + "method", lit(str(rel.get("method") or "cue")))
                conf = rel.get("confidence")
                if isinstance(conf, (int, float)) and not isinstance(conf, bool) and conf < 0.9995:
                    self.add(link, VN + "confidence", lit(f"{max(0.0, float(conf)):.3f}", datatype=XSD + "decimal"))
            else:
                self.evidence(link, line=rel.get("evidence_line"), start=rel.get("start"), end=rel.get("end"),
                              surface=rel.get("surface"), method=rel.get("method") or "cue",
                              confidence=rel.get("confidence"))
            self.n_links += 1

    def _citation_for(self, rel: dict[str, Any], to_mention: int | None) -> str | None:
        """The citation node whose span is the relation's evidence, if there is one."""
        s, e = rel.get("start"), rel.get("end")
        if isinstance(s, int) and isinstance(e, int) and (s, e) in self.span_nodes:
            return self.span_nodes[(s, e)]
        if to_mention is not None and not (isinstance(s, int) and isinstance(e, int) and e > s):
            m = (self.ext.get("mentions") or [])[to_mention]
            if m.get("line") == rel.get("evidence_line"):
                return self.mention_nodes.get(to_mention)
        return None

    def tasks(self) -> None:
        docs = self.ext.get("documents") or []
        for n, t in enumerate(self.ext.get("tasks") or [], 1):
            di = self.doc_index_for(t.get("in_document"), t.get("line"))
            if di is None:
                continue
            doc = self.doc_iris[di]
            place = self.context_place(di)
            node = self.id.node("task", self.key, doc, n, t.get("id"))
            self.add(node, A, iri(VN + "Task"))
            self.add(node, VN + "taskOf", iri(doc))
            self.add(doc, VN + "assigns", iri(node))
            self.add(node, VN + "ordinal", lit(n))
            if _clean(t.get("id")):
                self.add(node, VN + "taskId", lit(_clean(t["id"])))
            text = _clean(t.get("text"))
            if text:
                self.add(node, VN + "text", lit(text, lang="vi"))
                self.add(node, RDFS + "label", lit(text[:120]))
            if _clean(t.get("time")):
                self.add(node, VN + "timeframe", lit(_clean(t["time"]), lang="vi"))
            line = t.get("line") if isinstance(t.get("line"), int) and t.get("line") > 0 else None
            self.evidence(node, line=line, start=t.get("start"), end=t.get("end"),
                          surface=_clean(t.get("id")), method=t.get("method") or "task")
            for role in ("lead", "partners"):
                rel = "lead" if role == "lead" else "partner"
                for bname in t.get(role) or []:
                    b = self.body(bname, place)
                    if not b:
                        continue
                    self.add(node, VN + rel, iri(b))
                    self._body_link(doc, b, rel, docs[di], surface=_clean(bname), line=line,
                                    start=t.get("start"), end=t.get("end"), method="task", evidence=node)

    def bodies(self) -> None:
        for b in self.ext.get("bodies") or []:
            name = _clean(b.get("name"))
            if not name:
                continue
            dis = [self.doc_index_for(r, None) for r in (b.get("in_documents") or [])] or [0 if self.doc_iris else None]
            dis = [d for d in dis if d is not None]
            place = self.context_place(dis[0] if dis else None)
            node = self.body(name, place)
            m = re.match(r"^(.*\S)\s*\(([^()]+)\)$", name)
            if m:  # "Phòng Khoa giáo - Văn xã (Văn phòng UBND tỉnh Đắk Lắk)": a unit of the body in brackets
                parent = self.body(m.group(2), place)
                self.add(node, A, iri(ORG + "OrganizationalUnit"))
                self.add(node, ORG + "unitOf", iri(parent))
            for a in b.get("aliases") or []:
                ca = _clean(a)
                if not ca or ca == name:
                    continue
                self.add(node, SKOS + ("hiddenLabel" if _is_ocr_variant(a, name) else "altLabel"), lit(ca, lang="vi"))
            roles = set(b.get("roles") or [])
            # issuer, recipient, lead and partner are links of their own; "mentioned" is kept here
            if "mentioned" in roles or not roles:
                for di in dis:
                    self.add(self.doc_iris[di], VN + "mentionsBody", iri(node))


def _doc_year(ext: dict[str, Any], i: int) -> int | None:
    d = (ext.get("documents") or [])[i]
    parts = parse_key(d.get("key"))
    return (parts.year if parts else None) or year_of(d.get("date"))


def merge_nquads(chunks: Iterable[str]) -> str:
    return "".join(chunks)


def graph_name_of(source_key: str, base: str) -> str:
    return Identity(base).graph(source_key)


def source_key_of(name: str) -> str:
    """The stable key of a source name: absolute path (``path#id`` for a corpus line keeps its id)."""
    if name == "-" or name.startswith("<"):
        return name
    path, sep, frag = name.partition("#")
    return os.path.abspath(path) + (sep + frag if sep else "")


# --------------------------------------------------------------------------------------------------
# Vocabularies generated from the data tables

RELATION_LABELS: dict[str, tuple[str, str, str]] = {
    # type: (Vietnamese label, English label, Vietnamese cues)
    "based_on": ("căn cứ", "based on", "Căn cứ ...; Theo đề nghị / Xét đề nghị / Trên cơ sở đề xuất ..."),
    "implements": ("thực hiện", "implements", "Thực hiện / Triển khai thực hiện ... (mục đích của chính văn bản)"),
    "guides": ("hướng dẫn", "guides", "hướng dẫn; quy định chi tiết; hướng dẫn thi hành"),
    "amends": ("sửa đổi, bổ sung", "amends", "sửa đổi, bổ sung"),
    "replaces": ("thay thế", "replaces", "thay thế"),
    "repeals": ("bãi bỏ", "repeals", "bãi bỏ; hết hiệu lực"),
    "cites": ("dẫn chiếu", "cites", "mọi lần nêu khác"),
    "issued_by": ("cơ quan ban hành", "issued by", "phần đầu văn bản"),
    "recipient": ("nơi nhận", "recipient", "Kính gửi; Nơi nhận"),
    "lead": ("đơn vị chủ trì", "lead body", "cột chủ trì của bảng nhiệm vụ; Giao ... chủ trì"),
    "partner": ("đơn vị phối hợp", "partner body", "cột phối hợp của bảng nhiệm vụ; phối hợp với ..."),
}


def _ttl_str(s: str, lang: str | None = None) -> str:
    return lit(s, lang=lang)


def doc_types_turtle() -> str:
    """ontology/doc-types.ttl: the SKOS scheme of document types, from data/doc_types.json."""
    from kg.codes import doc_types
    from kg.identity import DOC_TYPE, slug, type_code_slug

    out = [
        "# Document types as a SKOS scheme. GENERATED from data/doc_types.json by",
        "#   python -c 'from kg.rdf import write_vocabularies; write_vocabularies()'",
        "# (tests check that the two agree). skos:notation is the code printed in numbers (NĐ 30/2020, Phụ lục III).",
        "",
        f"@prefix vndt: <{DOC_TYPE}> .",
        f"@prefix skos: <{SKOS}> .",
        f"@prefix vn: <{VN}> .",
        "",
        "<https://legalkg.org/ns/doc-type> a skos:ConceptScheme ;",
        '    skos:prefLabel "Loại văn bản"@vi , "Document types"@en .',
        "",
    ]
    for t in doc_types():
        local = type_code_slug(t.code) if t.code else slug(t.name)
        lines = [f"vndt:{local} a skos:Concept ;", "    skos:inScheme <https://legalkg.org/ns/doc-type> ;",
                 "    skos:topConceptOf <https://legalkg.org/ns/doc-type> ;",
                 f"    skos:prefLabel {_ttl_str(t.name, 'vi')} , {_ttl_str(t.en, 'en')} ;"]
        if t.code:
            lines.append(f"    skos:notation {_ttl_str(t.code)} ;")
        lines.append(f"    vn:numberingSystem {_ttl_str(t.system)} .")
        out.extend(lines)
        out.append("")
    return "\n".join(out)


def relation_types_turtle() -> str:
    """ontology/relation-types.ttl: the SKOS scheme of relation types and the properties each is written with."""
    out = [
        "# Relation types as a SKOS scheme. GENERATED by",
        "#   python -c 'from kg.rdf import write_vocabularies; write_vocabularies()'",
        "# vn:property lists the RDF properties a link of that type is written with (its own, then the ELI",
        "# super-property: engines do not infer, so both are in the data).",
        "",
        f"@prefix vnrel: <{REL_TYPE}> .",
        f"@prefix skos: <{SKOS}> .",
        f"@prefix vn: <{VN}> .",
        "",
        "<https://legalkg.org/ns/relation> a skos:ConceptScheme ;",
        '    skos:prefLabel "Loại quan hệ"@vi , "Relation types"@en .',
        "",
        "vnrel:document-relation a skos:Concept ; skos:inScheme <https://legalkg.org/ns/relation> ;",
        "    skos:topConceptOf <https://legalkg.org/ns/relation> ;",
        '    skos:prefLabel "quan hệ giữa văn bản"@vi , "document-to-document relation"@en .',
        "vnrel:body-relation a skos:Concept ; skos:inScheme <https://legalkg.org/ns/relation> ;",
        "    skos:topConceptOf <https://legalkg.org/ns/relation> ;",
        '    skos:prefLabel "quan hệ văn bản - cơ quan"@vi , "document-to-body relation"@en .',
        "",
    ]
    for rtype, (vi, en, cues) in RELATION_LABELS.items():
        broader = "document-relation" if rtype in RELATION_PROPERTIES else "body-relation"
        lines = [f"vnrel:{rtype} a skos:Concept ;", "    skos:inScheme <https://legalkg.org/ns/relation> ;",
                 f"    skos:broader vnrel:{broader} ;",
                 f"    skos:notation {_ttl_str(rtype)} ;",
                 f"    skos:prefLabel {_ttl_str(vi, 'vi')} , {_ttl_str(en, 'en')} ;"]
        props = RELATION_PROPERTIES.get(rtype, ())
        if props:
            lines.append("    vn:property " + " , ".join(f"<{p}>" for p in props) + " ;")
        lines.append(f"    skos:scopeNote {_ttl_str(cues, 'vi')} .")
        out.extend(lines)
        out.append("")
    return "\n".join(out)


def ontology_dir() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ontology")


def write_vocabularies() -> None:
    """Regenerate ontology/doc-types.ttl and ontology/relation-types.ttl from the tables."""
    d = ontology_dir()
    with open(os.path.join(d, "doc-types.ttl"), "w", encoding="utf-8") as f:
        f.write(doc_types_turtle())
    with open(os.path.join(d, "relation-types.ttl"), "w", encoding="utf-8") as f:
        f.write(relation_types_turtle())


def vocabulary_nquads(base: str) -> str:
    """The ontology and both SKOS schemes as N-Quads in ``{base}graph/ontology`` (loaded by every build, so
    queries can show type and relation labels)."""
    import pyoxigraph as ox

    st = ox.Store()
    g = ox.NamedNode(f"{base}graph/ontology")
    d = ontology_dir()
    for fname in ("legalkg.ttl", "doc-types.ttl", "relation-types.ttl"):
        path = os.path.join(d, fname)
        if os.path.exists(path):
            st.load(path=path, format=ox.RdfFormat.TURTLE, to_graph=g)
    return st.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8")
