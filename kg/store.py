"""The embedded on-disk store: a pyoxigraph (RocksDB) dataset, versioned so that writes are atomic.

Layout of a store directory (default ``$XDG_DATA_HOME/legalkg/store``, i.e.
``~/.local/share/legalkg/store``; ``--store DIR`` or ``LEGALKG_STORE`` select another)::

    DIR/legalkg-store.json   which version is current, the IRI base
    DIR/v000007/             the current version (a RocksDB directory, also servable by `oxigraph`)
    DIR/v000006/             the previous one, kept for readers that opened it before the last build
    DIR/.lock                held by the one writer

A build never writes into the current version: it takes a RocksDB checkpoint of it (hard links, so it
costs almost nothing), applies its changes there, and only then switches ``legalkg-store.json`` to the
new version with an atomic rename. An interrupted or failed build therefore leaves the store exactly as
it was; readers open the current version read-only and are never disturbed by a writer.

Each source is one named graph; ``{base}graph/meta`` records, per source graph, the source's content
hash and the pipeline fingerprint (unchanged sources are skipped on the next build), and
``{base}graph/derived`` holds what is computed across files (facts of documents known only from
citations, possible referents of unresolved references).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.identity import DEFAULT_BASE, RDF, VN, Identity, sparql_prefixes

POINTER = "legalkg-store.json"
FORMAT_VERSION = 1


class StoreError(Exception):
    """A problem with the store, said in one line (no traceback for the user)."""


def default_store_path() -> Path:
    """``LEGALKG_STORE`` if set, else ``$XDG_DATA_HOME/legalkg/store`` (``~/.local/share/legalkg/store``)."""
    env = os.environ.get("LEGALKG_STORE")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data_home) / "legalkg" / "store"


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path).expanduser() if path else default_store_path()


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


def _friendly_oserror(path: Path, e: OSError) -> StoreError:
    msg = _one_line(e)
    if "lock" in msg.lower():
        return StoreError(
            f"store {path} is in use by another process (RocksDB lock); stop the other writer or server "
            f"(a `legalkg build`, or `oxigraph serve` on this directory) and retry"
        )
    if isinstance(e, PermissionError) or e.errno in (errno.EACCES, errno.EPERM):
        return StoreError(f"store {path}: permission denied")
    return StoreError(f"store {path}: {msg}")


def _read_pointer(root: Path) -> dict[str, Any] | None:
    p = root / POINTER
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise StoreError(f"store {root}: cannot read {POINTER} ({_one_line(e)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise StoreError(f"store {root}: {POINTER} is not a legalkg store pointer")
    return data


def _write_pointer(root: Path, data: dict[str, Any]) -> None:
    tmp = root / (POINTER + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / POINTER)
    with contextlib.suppress(OSError):  # make the rename durable
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _is_plain_oxigraph(root: Path) -> bool:
    return (root / "CURRENT").is_file() and any(root.glob("*.sst")) or (root / "IDENTITY").is_file()


class GraphStore:
    """A read-only view of the current version of a store (or an in-memory dataset for tests/benchmarks).

    ``query`` runs SPARQL with the default graph as the union of all named graphs, so the shipped
    questions need no ``GRAPH`` clauses.
    """

    def __init__(self, store: ox.Store, *, path: Path | None, base: str, version: str | None = None) -> None:
        self.store = store
        self.path = path
        self.base = base
        self.version = version

    @property
    def meta_graph(self) -> str:
        return Identity(self.base).meta_graph

    @property
    def derived_graph(self) -> str:
        return Identity(self.base).derived_graph

    def query(self, sparql: str, *, substitutions: dict[str, Any] | None = None, union: bool = True) -> Any:
        """Run a SPARQL query; ``substitutions`` binds variables to RDF terms (never pasted into the text)."""
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()} or None
        return self.store.query(sparql, use_default_graph_as_union=union, substitutions=subs)

    def select(self, sparql: str, **kw: Any) -> list[dict[str, Any]]:
        """A SELECT query as a list of ``{variable: python value}`` (IRIs and literals as strings)."""
        res = self.query(sparql, **kw)
        names = [v.value for v in res.variables]
        out = []
        for sol in res:
            row = {}
            for n in names:
                t = sol[n]
                row[n] = None if t is None else t.value
            out.append(row)
        return out

    def sources(self) -> dict[str, dict[str, str]]:
        """Source key → {graph, hash, pipeline, name} as recorded in the meta graph."""
        from kg.rdf import iri

        q = sparql_prefixes() + (
            f"SELECT ?g ?key ?hash ?fp ?name WHERE {{ GRAPH {iri(self.meta_graph)} {{ ?g vn:sourceKey ?key ; "
            "vn:contentHash ?hash ; vn:pipeline ?fp . OPTIONAL { ?g vn:sourceName ?name } } }"
        )
        out: dict[str, dict[str, str]] = {}
        for r in self.select(q, union=False):
            out[r["key"]] = {"graph": r["g"], "hash": r["hash"], "pipeline": r["fp"], "name": r["name"] or r["key"]}
        return out

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        # pyoxigraph closes the database when the object goes away
        self.store = None  # type: ignore[assignment]


def open_store(path: str | os.PathLike[str] | None = None) -> GraphStore:
    """Open the current version of a store for reading. Raises :class:`StoreError` with a one-line message."""
    root = resolve_store_path(path)
    if not root.exists():
        raise StoreError(f"no store at {root}: run `legalkg build PATH ...` first (or pass --store DIR)")
    ptr = _read_pointer(root)
    if ptr is None:
        if _is_plain_oxigraph(root):  # an Oxigraph directory made by other tools: readable as it is
            try:
                return GraphStore(ox.Store.read_only(str(root)), path=root, base=DEFAULT_BASE)
            except OSError as e:
                raise _friendly_oserror(root, e) from None
        raise StoreError(f"no legalkg store at {root} (no {POINTER}): run `legalkg build PATH ... --store {root}`")
    vdir = root / ptr["version"]
    try:
        st = ox.Store.read_only(str(vdir))
    except OSError as e:
        raise _friendly_oserror(root, e) from None
    return GraphStore(st, path=root, base=ptr.get("base") or DEFAULT_BASE, version=ptr["version"])


def memory_store(nquads: str | bytes | None = None, *, base: str = DEFAULT_BASE) -> GraphStore:
    """An in-memory store (for tests, notebooks and benchmarks), optionally loaded with N-Quads."""
    st = ox.Store()
    if nquads:
        st.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    return GraphStore(st, path=None, base=base)


class StoreWriter:
    """The one writer of a store: prepares a new version and commits it atomically.

    Use as a context manager; leaving the block without :meth:`commit` (an exception, Ctrl-C) discards
    the new version and leaves the store as it was.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, base: str | None = None) -> None:
        self.root = resolve_store_path(path)
        self._lock_fd: int | None = None
        self.base = base
        self.current: str | None = None
        self.staging: Path | None = None
        self.store: ox.Store | None = None
        self.committed = False

    # lifecycle -------------------------------------------------------------------------------------

    def __enter__(self) -> StoreWriter:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _friendly_oserror(self.root, e) from None
        if not (self.root / POINTER).exists() and _is_plain_oxigraph(self.root):
            raise StoreError(f"{self.root} is an Oxigraph directory not made by legalkg; choose another --store")
        self._lock()
        try:
            ptr = _read_pointer(self.root)
            if ptr is not None:
                self.current = ptr["version"]
                stored_base = ptr.get("base") or DEFAULT_BASE
                if self.base and self.base != stored_base:
                    raise StoreError(
                        f"store {self.root} was built with base {stored_base}; use the same --base or a new store"
                    )
                self.base = stored_base
            self.base = self.base or DEFAULT_BASE
            self._cleanup()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if not self.committed:
                self.discard()
        finally:
            self._unlock()

    def _lock(self) -> None:
        lock = self.root / ".lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            other = ""
            with contextlib.suppress(OSError, ValueError):
                other = f" (pid {int(lock.read_text().strip())})"
            raise StoreError(
                f"store {self.root} is being written by another legalkg build{other}; wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    def _versions(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if re.fullmatch(r"v\d{6}", p.name) and p.is_dir())

    def _cleanup(self) -> None:
        """Remove what an interrupted build left (staging dirs) and versions older than the previous one."""
        for p in self.root.iterdir():
            if p.name.startswith("staging-") and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
        versions = self._versions()
        if self.current in versions:
            keep = {self.current}
            older = [v for v in versions if v < self.current]
            if older:
                keep.add(older[-1])
            for v in versions:
                if v not in keep:
                    shutil.rmtree(self.root / v, ignore_errors=True)

    # reading the current version -------------------------------------------------------------------

    def current_view(self) -> GraphStore | None:
        if self.current is None:
            return None
        try:
            return GraphStore(ox.Store.read_only(str(self.root / self.current)), path=self.root,
                              base=self.base or DEFAULT_BASE, version=self.current)
        except OSError as e:
            raise _friendly_oserror(self.root, e) from None

    # writing ---------------------------------------------------------------------------------------

    def begin(self) -> ox.Store:
        """Open the new version: a checkpoint of the current one (or an empty store)."""
        if self.store is not None:
            return self.store
        self.staging = self.root / f"staging-{os.getpid()}-{os.urandom(3).hex()}"
        try:
            if self.current is not None:
                ro = ox.Store.read_only(str(self.root / self.current))
                ro.backup(str(self.staging))
                del ro
            self.store = ox.Store(str(self.staging))
        except OSError as e:
            raise _friendly_oserror(self.root, e) from None
        return self.store

    def view(self) -> GraphStore:
        """The new version as a GraphStore (for queries while building)."""
        return GraphStore(self.begin(), path=self.root, base=self.base or DEFAULT_BASE)

    def commit(self) -> str:
        """Make the new version current (atomic rename of the pointer). Returns its name."""
        if self.store is None or self.staging is None:
            raise StoreError("nothing to commit")
        self.store.flush()
        self.store.optimize()
        self.store = None  # closes RocksDB
        import gc

        gc.collect()
        versions = self._versions()
        n = int(versions[-1][1:]) + 1 if versions else 1
        name = f"v{n:06d}"
        os.replace(self.staging, self.root / name)
        _write_pointer(self.root, {"format": FORMAT_VERSION, "version": name, "base": self.base})
        self.staging = None
        self.current = name
        self.committed = True
        self._cleanup()
        return name

    def discard(self) -> None:
        self.store = None
        if self.staging is not None:
            import gc

            gc.collect()
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


@contextlib.contextmanager
def writer(path: str | os.PathLike[str] | None = None, *, base: str | None = None) -> Iterator[StoreWriter]:
    with StoreWriter(path, base=base) as w:
        yield w


def pipeline_fingerprint() -> str:
    """A hash of the code and data tables that shape the graph: a change re-extracts every source."""
    here = Path(__file__).resolve().parent
    views = {"query.py", "trace.py", "export.py", "network.py", "render.py", "serve.py", "store.py", "build.py",
             "validate.py", "report.py"}
    h = hashlib.sha1()
    files = sorted(p for p in here.glob("*.py") if p.name not in views)
    files += sorted((here.parent / "data").glob("*.json"))
    files += sorted((here.parent / "ontology").glob("*.ttl"))
    for p in files:
        with contextlib.suppress(OSError):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def derived_fingerprint() -> str:
    """A hash of what shapes the derived graph (kg/build.py and the ontology): a change recomputes it."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha1()
    for p in [here / "build.py", *sorted((here.parent / "ontology").glob("*.ttl"))]:
        with contextlib.suppress(OSError):
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def meta_nquads(base: str, entries: list[dict[str, str]]) -> str:
    """The meta-graph statements of the given sources (graph, key, name, hash, pipeline)."""
    from kg.rdf import QuadWriter, iri, lit

    w = QuadWriter(f"{base}graph/meta")
    for e in entries:
        g = e["graph"]
        w.add(g, RDF + "type", iri(VN + "SourceGraph"))
        w.add(g, VN + "sourceKey", lit(e["key"]))
        w.add(g, VN + "sourceName", lit(e["name"]))
        w.add(g, VN + "contentHash", lit(e["hash"]))
        w.add(g, VN + "pipeline", lit(e["pipeline"]))
        if e.get("source"):
            w.add(g, VN + "source", iri(e["source"]))
    return w.text()


def as_store(store: Any = None) -> GraphStore:
    """A GraphStore from a GraphStore, a store directory, or None (the default store)."""
    if isinstance(store, GraphStore):
        return store
    return open_store(store)
