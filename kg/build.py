"""Build: files → extraction (in parallel) → one named graph per source → the store, atomically.

``build(paths, store=...)`` reads every source under ``paths`` (text files, folders, JSON Lines corpora),
skips those whose content and pipeline are unchanged since the last build, extracts the others across
cores, replaces exactly their named graphs in a new version of the store, recomputes the derived graph
(facts that need every file: documents known only from citations, possible referents of unresolved
references) and commits. A bad file is reported and skipped; an interrupted or failed build leaves the
store as it was (kg.store). With ``endpoint`` the same named graphs are then pushed to a SPARQL 1.1
server through the Graph Store Protocol.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.identity import DEFAULT_BASE, ELI, ORG, RDFS, SKOS, VN, Identity, sparql_prefixes, year_of
from kg.rdf import QuadWriter, iri, lit, source_hash, source_key_of, vocabulary_nquads
from kg.store import GraphStore, StoreError, StoreWriter, derived_fingerprint, meta_nquads, pipeline_fingerprint


@dataclass
class BuildReport:
    """What a build did."""

    store: str
    version: str | None = None
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)  # one line each: "name: problem"
    documents: int = 0  # documents whose own text was extracted in this build
    triples: int = 0  # quads in the store after the build
    graphs: int = 0  # source graphs in the store after the build
    seconds: float = 0.0
    pushed: int = 0  # graphs pushed to the endpoint
    endpoint: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{self.unchanged} unchanged",
            f"{len(self.failed)} failed",
        ]
        s = (f"store {self.store}: " + ", ".join(parts) + f"; {self.graphs} sources, {self.triples:,} quads"
             f" ({self.seconds:.1f} s)")
        if self.endpoint:
            s += f"; pushed {self.pushed} graphs to {self.endpoint}"
        return s


# --------------------------------------------------------------------------------------------------
# Extraction workers

_BASE = DEFAULT_BASE
_EXTRACTOR: Any = None
_OUTDIR: str | None = None
_OUT: Any = None


def _init_worker(base: str, extractor: Any = None, outdir: str | None = None) -> None:
    global _BASE, _EXTRACTOR, _OUTDIR, _OUT
    _BASE = base
    _EXTRACTOR = extractor
    _OUTDIR = outdir
    _OUT = None


# The bulk loader's memory grows with the size of the file it is given: measured, about 1.05 GB for
# 250 MB of N-Quads, 1.55 GB for 500 MB and 1.75 GB for 2 GB. Files of 512 MB load as fast as one big one
# (smaller ones are slower per byte) and keep the build under 2 GB.
PART_BYTES = 512 * 2**20
_PARTS_WRITTEN = 0


def _write_part(nquads: str) -> str:
    """Append a graph to this process's current part file (workers write their output themselves: sending
    every graph back through a pipe would make the parent the bottleneck). Returns the file's path."""
    global _OUT, _PARTS_WRITTEN
    if _OUT is None:
        assert _OUTDIR is not None
        _PARTS_WRITTEN += 1
        name = f"part-{os.getpid()}-{_PARTS_WRITTEN:04d}.nq"
        _OUT = open(os.path.join(_OUTDIR, name), "a", encoding="utf-8")  # noqa: SIM115
    out = _OUT
    out.write(nquads)
    out.flush()  # pool workers end with os._exit: nothing buffered may be left behind
    if out.tell() >= PART_BYTES:
        out.close()
        _OUT = None
    return out.name


def _default_extractor(text: str, path: str) -> dict[str, Any]:
    from kg import extract

    return extract(text, path=path).to_dict()


def extract_source(item: tuple[str, str, str, dict[str, Any], str], base: str | None = None,
                   extractor: Any = None) -> dict[str, Any]:
    """Extract one source and map it to its named graph (runs in a worker process)."""
    key, name, text, meta, h = item
    from kg.rdf import extraction_to_graph

    fn = extractor or _EXTRACTOR or _default_extractor
    try:
        ext = fn(text, name)
        g = extraction_to_graph(ext, key, name=name, text=text, identity=Identity(base or _BASE),
                                meta=meta, content_hash=h)
    except Exception as e:  # one bad document must not stop the build; the error is reported
        msg = " ".join(f"{type(e).__name__}: {e}".split())
        return {"key": key, "name": name, "error": f"{name}: extraction failed ({msg[:300]})"}
    out: dict[str, Any] = {"key": key, "name": name, "hash": h, "graph": g.graph, "documents": g.documents,
                           "triples": g.triples}
    if _OUTDIR is not None:
        out["part"] = _write_part(g.nquads)
    else:
        out["nquads"] = g.nquads
    return out


def _items(paths: Iterable[str], max_bytes: int, report: BuildReport, known: dict[str, dict[str, str]],
           fingerprint: str, force: bool, seen: set[str]) -> Iterator[tuple[str, str, str, dict[str, Any], str]]:
    from kg.reading import DEFAULT_MAX_BYTES, InputError, iter_sources

    for src in iter_sources(list(paths), max_bytes=max_bytes or DEFAULT_MAX_BYTES):
        if isinstance(src, InputError):
            report.failed.append(str(src))
            continue
        key = source_key_of(src.name)
        if key in seen:
            continue
        seen.add(key)
        h = source_hash(src.text)
        old = known.get(key)
        if old and not force and old["hash"] == h and old["pipeline"] == fingerprint:
            report.unchanged += 1
            continue
        meta = dict(src.meta)
        meta["encoding"] = src.encoding
        yield key, _display_name(src.name), src.text, meta, h


def _display_name(name: str) -> str:
    """How a source is shown in evidence: relative to the working directory when under it."""
    path, sep, frag = name.partition("#")
    if path in ("-",) or path.startswith("<"):
        return name
    ap = os.path.abspath(path)
    try:
        rel = os.path.relpath(ap)
    except ValueError:
        rel = ap
    shown = rel if not rel.startswith("..") else ap
    return shown + (sep + frag if sep else "")


def _progress(total: int | None, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="extracting", file=sys.stderr, dynamic_ncols=True, leave=False,
                mininterval=0.5)


def _count_inputs(paths: list[str]) -> int | None:
    """How many documents the paths hold, when that is cheap to know (files and folders, not corpora)."""
    from kg.reading import TEXT_SUFFIXES, is_corpus

    n = 0
    for p in paths:
        if is_corpus(p):
            return None
        if os.path.isdir(p):
            for _, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                n += sum(1 for f in files if f.lower().endswith(TEXT_SUFFIXES) and not f.startswith("."))
        else:
            n += 1
    return n


# --------------------------------------------------------------------------------------------------
# The build


def build(
    paths: Iterable[str | os.PathLike[str]],
    store: str | os.PathLike[str] | None = None,
    *,
    endpoint: str | None = None,
    jobs: int | None = None,
    progress: bool = True,
    base: str | None = None,
    max_bytes: int | None = None,
    force: bool = False,
    extractor: Any = None,
) -> BuildReport:
    """Extract every source under ``paths`` into the store (see module docstring). Returns a report;
    raises :class:`kg.store.StoreError` (one-line message) when the store cannot be used.

    ``extractor(text, name) -> dict`` replaces ``kg.extract`` (it must be a module-level function, as it
    is sent to the worker processes); the dict follows the extraction contract (gold/SCHEMA.md)."""
    t0 = time.time()
    paths = [os.fspath(p) for p in paths]
    jobs = max(1, jobs or os.cpu_count() or 1)
    fingerprint = pipeline_fingerprint()
    with StoreWriter(store, base=base) as w:
        report = BuildReport(store=str(w.root))
        base = w.base or DEFAULT_BASE
        cur = w.current_view()
        known = cur.sources() if cur is not None else {}
        del cur
        seen: set[str] = set()
        items = _items(paths, max_bytes or 0, report, known, fingerprint, force, seen)
        n_inputs = _count_inputs(paths)
        bar = _progress(n_inputs, progress)
        if n_inputs is not None:
            # a worker process costs about a second to start: not worth it for a handful of files
            jobs = max(1, min(jobs, n_inputs // 8))
        tmpdir = tempfile.mkdtemp(prefix="staging-build-", dir=str(w.root))
        parts: set[str] = set()
        entries: list[dict[str, str]] = []
        try:
            for res in _run(items, jobs, base, extractor, tmpdir):
                if bar is not None:
                    bar.update(1)
                if "error" in res:
                    report.failed.append(res["error"])
                    continue
                parts.add(res["part"])
                report.documents += res["documents"]
                (report.updated if res["key"] in known else report.added).append(res["name"])
                entries.append({"graph": res["graph"], "key": res["key"], "name": res["name"], "hash": res["hash"],
                                "pipeline": fingerprint, "source": Identity(base).source(res["key"])})
            if bar is not None:
                bar.update(report.unchanged)
                bar.close()
            report.timings["extract"] = time.time() - t0
            dfp = derived_fingerprint()
            stale = known and _stored_derived_fp(w) != dfp
            if entries or w.current is None or stale:
                st = w.begin()
                # drop the graphs being replaced, then load the new ones (one bulk load for speed)
                for e in entries:
                    g = ox.NamedNode(e["graph"])
                    if e["key"] in known and st.contains_named_graph(g):
                        st.remove_graph(g)
                    elif e["key"] in known and known[e["key"]]["graph"] != e["graph"]:
                        st.remove_graph(ox.NamedNode(known[e["key"]]["graph"]))
                t1 = time.time()
                _release_memory()  # the bulk loader needs up to 1.6 GB: what extraction left behind goes first
                for part in sorted(parts):
                    # not lenient: skipping the checks saves a tenth of the load but holds 140 MB more
                    st.bulk_load(path=part, format=ox.RdfFormat.N_QUADS)
                onto = ox.NamedNode(f"{base}graph/ontology")
                st.remove_graph(onto)
                st.load(vocabulary_nquads(base), format=ox.RdfFormat.N_QUADS)
                _update_meta(st, base, entries)
                t2 = time.time()
                if progress:
                    print("computing cross-file facts ...", file=sys.stderr, end="\r")
                refresh_derived(GraphStore(st, path=w.root, base=base))
                t3 = time.time()
                report.triples = len(st)
                report.graphs = _count_source_graphs(st, base)
                # compacted last, with everything in: a run left apart (the derived graph written after a
                # compaction) makes the selective questions up to twice as slow
                report.version = w.commit()
                report.timings.update(load=t2 - t1, derived=t3 - t2, commit=time.time() - t3)
            else:
                view = w.current_view()
                if view is not None:
                    report.triples = len(view)
                    report.graphs = _count_source_graphs(view.store, base)
                report.version = w.current
        finally:
            import shutil

            shutil.rmtree(tmpdir, ignore_errors=True)
        if endpoint:
            view = w.current_view()
            if view is not None:
                report.endpoint = endpoint
                report.pushed = push(view, endpoint)
    report.seconds = time.time() - t0
    return report


def _run(items: Iterator[tuple[str, str, str, dict[str, Any], str]], jobs: int, base: str,
         extractor: Any = None, outdir: str | None = None) -> Iterator[dict[str, Any]]:
    if jobs <= 1:
        _init_worker(base, extractor, outdir)
        try:
            for it in items:
                yield extract_source(it, base, extractor)
        finally:
            global _OUT
            if _OUT is not None:
                _OUT.close()
                _OUT = None
        return
    import multiprocessing as mp

    # spawn, not fork: the parent holds RocksDB handles and threads that a forked child must not inherit
    ctx = mp.get_context("spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(base, extractor, outdir)) as pool:
        yield from pool.imap_unordered(extract_source, items, chunksize=8)


def _release_memory() -> None:
    """Give memory freed by Python back to the system: glibc keeps freed blocks for reuse by the same
    process, so the memory a large extraction loop touched stays counted until trimmed."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        try:
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass  # another C library: nothing to trim


def _update_meta(st: ox.Store, base: str, entries: list[dict[str, str]]) -> None:
    meta = ox.NamedNode(f"{base}graph/meta")
    for e in entries:
        for q in list(st.quads_for_pattern(ox.NamedNode(e["graph"]), None, None, meta)):
            st.remove(q)
    store_node = f"{base}store"
    for q in list(st.quads_for_pattern(ox.NamedNode(store_node), None, None, meta)):
        st.remove(q)
    w = QuadWriter(f"{base}graph/meta")
    w.add(store_node, VN + "base", lit(base))
    w.add(store_node, VN + "formatVersion", lit(1))
    w.add(store_node, VN + "derivedPipeline", lit(derived_fingerprint()))
    text = meta_nquads(base, entries) + w.text()
    # bulk-loaded: a transaction of 100,000 sources' meta statements holds about 500 MB until the end
    st.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)


def _stored_derived_fp(w: StoreWriter) -> str | None:
    view = w.current_view()
    if view is None:
        return None
    for quad in view.store.quads_for_pattern(ox.NamedNode(f"{view.base}store"), ox.NamedNode(VN + "derivedPipeline"),
                                             None, ox.NamedNode(f"{view.base}graph/meta")):
        return quad.object.value
    return None


def _count_source_graphs(st: ox.Store, base: str) -> int:
    meta = ox.NamedNode(f"{base}graph/meta")
    return sum(1 for _ in st.quads_for_pattern(None, ox.NamedNode(VN + "sourceKey"), None, meta))


# --------------------------------------------------------------------------------------------------
# The derived graph: facts that need every file


def refresh_derived(gs: GraphStore) -> int:
    """Recompute ``{base}graph/derived`` from the source graphs; returns its number of triples.

    Source graphs hold what each file observed; the derived graph holds, once, the description of every
    node that several files may speak of, so that queries join on single facts (the default graph of a
    query is the union of all graphs, where a fact stated by a hundred files would count a hundred
    times):

    * a document known only from citations: its types, number (key, lookup key, ELI id), type and year
      as its number and IRI give them, and the date, issuer, title the citing words state (the most
      frequent value when they disagree; every stated value stays on its citation), and the first citing
      sentence as its excerpt;
    * an unresolved reference: why it is unresolved and the documents it may stand for
      (``vn:possibleReferent``: same number and type, and the same year when known), never merged;
    * a body: one ``skos:prefLabel`` (its most frequent name; the others become ``skos:altLabel``),
      lookup keys for all its names, and its province.
    """
    from kg.codes import canonical_type_code
    from kg.identity import document_type_iri, lookup_form, parse_key, province_of

    derived = gs.derived_graph
    base = gs.base
    st = gs.store
    st.remove_graph(ox.NamedNode(derived))
    w = _FileWriter(derived)
    A = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

    # every question at once (the longest first): Oxigraph evaluates without holding the GIL, so on two
    # cores they take about half the time they take one after the other
    vote_q = ("SELECT ?doc ?v (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m vn:refersTo ?doc ; {} ?v }} GROUP BY ?doc ?v")
    answers = _select_all(gs, {
        "excerpt": "SELECT ?doc (MIN(CONCAT(?name, '\\u0001', STR(10000000 + ?line), '\\u0001', ?ev)) AS ?first) "
                   "WHERE { ?m vn:refersTo ?doc ; vn:evidenceText ?ev ; vn:sourceFile/vn:sourceName ?name ; "
                   "vn:line ?line } GROUP BY ?doc",
        "cited": """SELECT ?n ?k ?nm ?why (COUNT(?m) AS ?c) WHERE { ?m vn:refersTo ?n .
            OPTIONAL { ?m vn:statedKey ?k } OPTIONAL { ?m vn:statedName ?nm } OPTIONAL { ?m vn:unresolvedBecause ?why }
            } GROUP BY ?n ?k ?nm ?why""",
        # per graph: joining the type and the label of a body across the union would pair every file's copy
        # of one with every file's copy of the other
        "labels": ("SELECT ?b ?l (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?b a org:Organization ; rdfs:label ?l } } "
                   "GROUP BY ?b ?l", False),
        **{prop: vote_q.format(prop) for prop in ("vn:statedDate", "vn:statedIssuer", "vn:statedTitle", "vn:statedType")},
        "lookup": "SELECT DISTINCT ?d ?k ?y WHERE { ?d vn:hasText ?s ; vn:lookupKey ?k . OPTIONAL { ?d vn:year ?y } }",
        "own": "SELECT DISTINCT ?d WHERE { ?d vn:hasText ?s }",
        "units": "SELECT DISTINCT ?b WHERE { ?b a org:OrganizationalUnit }",
        "issuers": "SELECT DISTINCT ?d ?b WHERE { ?d eli:passed_by ?b }",
    })

    own = {r["d"].value for r in answers.pop("own")}
    lookup_docs: dict[str, set[tuple[str, int | None]]] = defaultdict(set)
    for r in answers.pop("lookup"):
        lookup_docs[r["k"].value].add((r["d"].value, int(r["y"].value) if r["y"] is not None else None))

    def best(c: Counter[str]) -> str:
        return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    # 1. cited nodes: what their number or name and their IRI say
    keys: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    whys: dict[str, Counter[str]] = defaultdict(Counter)
    rows = answers.pop("cited")
    for r in rows:
        n = r["n"].value
        if n in own:
            continue
        c = int(r["c"].value)
        if r["k"] is not None:
            keys[n][r["k"].value] += c
        if r["nm"] is not None:
            names[n][r["nm"].value] += c
        if r["why"] is not None:
            whys[n][r["why"].value] += c
    cited = set(keys) | set(names) | set(whys)
    unresolved_keys: list[tuple[str, str, int | None]] = []
    key_type: dict[str, str] = {}  # the type a node's number gives it (Vietnamese name)
    for n in sorted(cited):
        resolved = n.startswith(f"{base}eli/")
        key = best(keys[n]) if keys.get(n) else None
        name = best(names[n]) if names.get(n) else None
        m = re.search(r"/(?:eli/vn|ref)/[^/]+/((?:19|20)\d\d)/", n[len(base) - 1:])
        year = int(m.group(1)) if m else None
        parts = parse_key(key) if key else None
        if resolved:
            w.add(n, A, iri(ELI + "LegalResource"))
            w.add(n, A, iri(VN + "Document"))
            if parts is not None and parts.system == "party":
                w.add(n, A, iri(VN + "PartyDocument"))
        else:
            w.add(n, A, iri(VN + "UnresolvedReference"))
            w.add(n, VN + "unresolvedBecause", lit(best(whys[n]) if whys.get(n) else "unresolved"))
        if key:
            w.add(n, VN + "key", lit(key))
            w.add(n, VN + "lookupKey", lit(lookup_form(key)))
            w.add(n, RDFS + "label", lit(key))
            if resolved:
                w.add(n, ELI + "id_local", lit(key))
            if parts is not None:
                w.add(n, (ELI if resolved else VN) + "number", lit(parts.number))
                w.add(n, VN + "numberingSystem", lit(parts.system))
                t = document_type_iri(code=parts.type_code) if parts.type_code else None
                if t and resolved:
                    w.add(n, ELI + "type_document", iri(t))
                dt = canonical_type_code(parts.type_code) if parts.type_code else None
                if dt is not None:
                    key_type[n] = dt.name
            if not resolved:
                unresolved_keys.append((n, lookup_form(key), year))
        elif name:
            w.add(n, A, iri(VN + "NamedReference"))
            w.add(n, VN + "name", lit(name, lang="vi"))
            w.add(n, VN + "lookupKey", lit(lookup_form(name)))
            w.add(n, RDFS + "label", lit(name))
        if year:
            w.add(n, VN + "year", lit(year))
        if resolved and key:
            lookup_docs[lookup_form(key)].add((n, year))

    # 2. what the citing words state about documents known only from citations
    def votes(prop: str) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for r in answers.pop(prop):
            d = r["doc"].value
            if d not in own:
                out[d][_term_key(r["v"])] += int(r["n"].value)
        return out

    for doc, c in votes("vn:statedDate").items():
        v = best(c)
        w.add(doc, ELI + "date_document", v)
        y = year_of(_literal_value(v))
        if y and doc not in keys_with_year(doc, base):
            w.add(doc, VN + "year", lit(y))
    issuer_of: dict[str, str] = {}
    for doc, c in votes("vn:statedIssuer").items():
        w.add(doc, ELI + "passed_by", best(c))
        issuer_of[doc] = best(c)[1:-1]
    for doc, c in votes("vn:statedTitle").items():
        w.add(doc, ELI + "title", best(c))
    typed = {n for n in cited if n.startswith(f"{base}eli/") and (parse_key(best(keys[n])) if keys.get(n) else None)
             and parse_key(best(keys[n])).type_code}
    for doc, c in votes("vn:statedType").items():
        tname = _literal_value(best(c))
        if doc not in key_type:
            w.add(doc, VN + "typeName", best(c))
        concept = document_type_iri(tname)
        if doc not in typed and concept:
            w.add(doc, ELI + "type_document", iri(concept))
    for doc, tname in key_type.items():  # the number's type code says more than the word before it
        w.add(doc, VN + "typeName", lit(tname, lang="vi"))
    # the first citing sentence (by source name and line, for a stable choice)
    for r in answers.pop("excerpt"):
        d = r["doc"].value
        if d not in own and r["first"] is not None:
            w.add(d, VN + "excerpt", lit(r["first"].value.split("\u0001", 2)[-1], lang="vi"))

    # 3. unresolved references: their possible referents (same lookup key, compatible year)
    for ref, lk, year in unresolved_keys:
        for doc, dy in sorted(lookup_docs.get(lk, ())):
            if year is None or dy is None or year == dy:
                w.add(ref, VN + "possibleReferent", iri(doc))

    # 4. bodies: one preferred label, lookup keys for every name, the province
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for r in answers.pop("labels"):
        labels[r["b"].value][_term_key(r["l"])] += int(r["n"].value)
    units = {r["b"].value for r in answers.pop("units")}
    pref_of: dict[str, str] = {}
    for b, c in labels.items():
        if b not in units:
            w.add(b, A, iri(ORG + "FormalOrganization"))
        pref = best(c)
        pref_of[b] = pref
        w.add(b, SKOS + "prefLabel", pref)
        for other in c:
            if other != pref:
                w.add(b, SKOS + "altLabel", other)
        provinces: Counter[tuple[str, str]] = Counter()
        for lab, k in c.items():
            name = _literal_value(lab)
            w.add(b, VN + "lookupKey", lit(lookup_form(name)))
            prov = province_of(name)
            if prov is not None:
                provinces[prov] += k
        if provinces:
            (slug_, shown), _ = sorted(provinces.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            w.add(b, VN + "province", lit(slug_))
            w.add(b, VN + "provinceName", lit(shown, lang="vi"))
    # 5. the issuer's name on every document, one hop away (queries and views read it without a join)
    for r in answers.pop("issuers"):
        issuer_of.setdefault(r["d"].value, r["b"].value)
    assert not answers, f"unused answers: {sorted(answers)}"
    for d, b in issuer_of.items():
        if b in pref_of:
            w.add(d, VN + "issuerName", pref_of[b])
    n = len(w)
    path = w.close()
    try:
        if n:
            st.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    finally:
        os.unlink(path)
    return n


def _select_all(gs: GraphStore, questions: dict[str, str | tuple[str, bool]]) -> dict[str, list[Any]]:
    """The solutions of independent SELECT questions (text, or (text, union)), evaluated in parallel
    threads; each question gets the usual prefixes."""
    from concurrent.futures import ThreadPoolExecutor

    p = sparql_prefixes()

    def run(q: str | tuple[str, bool]) -> list[Any]:
        text, union = (q, True) if isinstance(q, str) else q
        return list(gs.query(p + text, union=union))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(questions, pool.map(run, questions.values()), strict=True))


class _FileWriter:
    """QuadWriter's interface, streaming to a temporary file (the derived graph of a large store does not
    need to sit in memory; duplicates are harmless: a store holds each quad once)."""

    def __init__(self, graph: str) -> None:
        self.g = iri(graph)
        fd, self.path = tempfile.mkstemp(suffix=".nq", prefix="legalkg-derived-")
        self.f = os.fdopen(fd, "w", encoding="utf-8")
        self.n = 0

    def add(self, s: str, p: str, o: str | None) -> None:
        if o is None:
            return
        self.f.write(f"{iri(s)} {iri(p)} {o} {self.g} .\n")
        self.n += 1

    def __len__(self) -> int:
        return self.n

    def close(self) -> str:
        self.f.close()
        return self.path


def keys_with_year(doc: str, base: str) -> set[str]:
    """{doc} when the IRI of ``doc`` already carries its year (then the IRI's year is the year)."""
    return {doc} if re.search(r"/(?:eli/vn|ref)/[^/]+/(?:19|20)\d\d/", doc[len(base) - 1:]) else set()


def _term_key(t: Any) -> str:
    """An RDF term as the N-Triples text QuadWriter takes."""
    if isinstance(t, ox.NamedNode):
        return iri(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return lit(t.value, lang=t.language)
        if t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return lit(t.value, datatype=t.datatype.value)
        return lit(t.value)
    return str(t)


_NT_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"')
_NT_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


def _literal_value(term_text: str) -> str:
    """The lexical value of an N-Triples literal (as QuadWriter writes it)."""
    m = _NT_LITERAL.match(term_text)
    if not m:
        return term_text
    return re.sub(r"\\(u[0-9A-Fa-f]{4}|.)",
                  lambda e: chr(int(e.group(1)[1:], 16)) if e.group(1)[0] == "u" and len(e.group(1)) == 5
                  else _NT_ESCAPES.get(e.group(1), e.group(1)), m.group(1))


# --------------------------------------------------------------------------------------------------
# Pushing to a SPARQL 1.1 server


def push(gs: GraphStore, endpoint: str, *, timeout: float = 60.0) -> int:
    """Push the store's named graphs to a SPARQL 1.1 Graph Store Protocol endpoint (e.g. Oxigraph's
    ``http://host:7878/store``, Fuseki's ``http://host:3030/ds/data``): ``PUT`` replaces each graph
    whole. Only graphs whose content hash differs from the server's copy of the meta graph are sent;
    the meta graph goes last, so an interrupted push is completed by the next one. Returns how many
    graphs were sent."""
    meta = gs.meta_graph
    remote = _remote_hashes(endpoint, meta, timeout)
    local = gs.sources()
    sent = 0
    for info in sorted(local.values(), key=lambda x: x["graph"]):
        g = info["graph"]
        if remote.get(g) == (info["hash"], info["pipeline"]):
            continue
        _put_graph(endpoint, g, gs.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)), timeout)
        sent += 1
    for g in (gs.derived_graph, meta):
        _put_graph(endpoint, g, gs.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)), timeout)
        sent += 1
    return sent


def _gsp_url(endpoint: str, graph: str) -> str:
    sep = "&" if "?" in endpoint else "?"
    return f"{endpoint}{sep}graph={urllib.parse.quote(graph, safe='')}"


def _remote_hashes(endpoint: str, meta: str, timeout: float) -> dict[str, tuple[str, str]]:
    req = urllib.request.Request(_gsp_url(endpoint, meta), headers={"Accept": "application/n-triples"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return {}
        raise StoreError(f"endpoint {endpoint}: HTTP {e.code} {e.reason} reading the meta graph") from None
    except (urllib.error.URLError, OSError) as e:
        raise StoreError(f"endpoint {endpoint}: cannot connect ({getattr(e, 'reason', e)})") from None
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        if t.predicate.value in (VN + "contentHash", VN + "pipeline"):
            out[t.subject.value][t.predicate.value] = t.object.value
    return {g: (d.get(VN + "contentHash", ""), d.get(VN + "pipeline", "")) for g, d in out.items()}


def _put_graph(endpoint: str, graph: str, data: bytes, timeout: float) -> None:
    req = urllib.request.Request(_gsp_url(endpoint, graph), data=data, method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as e:
        raise StoreError(f"endpoint {endpoint}: HTTP {e.code} {e.reason} writing graph {graph}") from None
    except (urllib.error.URLError, OSError) as e:
        raise StoreError(f"endpoint {endpoint}: cannot connect ({getattr(e, 'reason', e)})") from None


class _CallableModule(types.ModuleType):
    # `import kg.build` makes kg.build this module; calling it still builds: kg.build(["data/samples"])
    def __call__(self, *args: Any, **kwargs: Any) -> BuildReport:
        return build(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
