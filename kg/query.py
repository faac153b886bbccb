"""SPARQL over the store: the shipped research questions, parameters, and result formats.

Shipped questions live in ``ontology/queries/*.rq``; each starts with a header::

    # name: implementers
    # title: Documents that implement a document, directly or through a chain
    # description: ...
    # param: key [key] = the implemented document's number, e.g. 57-KL/TW
    # param: limit [integer, optional] = ...

Parameter kinds: ``key`` (a document number or name, matched accent-insensitively through
``vn:lookupKey``), ``name`` (a body name, folded the same way), ``string``, ``integer``, ``date``, ``iri``.
A parameter binds the SPARQL variable of the same name through a ``VALUES`` block placed at the start of
the query's outer ``WHERE`` group, or where a ``# @params NAME`` comment line stands (inside a
sub-select); the value is turned into an RDF term and serialised with its escaping (never pasted into
the query text as typed). Unset optional parameters leave their variable unbound.

Results: ``table`` (aligned text), ``csv`` (W3C SPARQL 1.1 CSV) and ``json`` (W3C SPARQL 1.1 Query
Results JSON). Malformed SPARQL raises :class:`QueryError` carrying the parser's message and position.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.identity import PREFIXES, XSD, lookup_form, sparql_prefixes

QUERIES_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"
FORMATS = ("table", "csv", "json")
PARAM_KINDS = ("key", "name", "string", "integer", "date", "iri")


class QueryError(Exception):
    """A query that cannot run, said in one line (``detail`` may add the offending line and a caret)."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass
class Param:
    name: str
    kind: str = "string"
    optional: bool = False
    description: str = ""


@dataclass
class ShippedQuery:
    name: str
    title: str
    description: str
    params: list[Param]
    text: str
    path: Path
    tags: list[str] = field(default_factory=list)


_HEADER = re.compile(r"^#\s*(?P<k>name|title|description|param|tags)\s*:\s*(?P<v>.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*(?:\[(?P<opts>[^\]]*)\])?\s*(?:=\s*(?P<desc>.*))?$")


def parse_header(text: str, path: Path) -> ShippedQuery:
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            if meta.get("description") is not None and line.startswith("#   "):
                meta["description"] += " " + line[1:].strip()
            continue
        k, v = m.group("k"), m.group("v").strip()
        if k == "param":
            pm = _PARAM.match(v)
            if not pm:
                raise QueryError(f"{path.name}: bad param line {v!r}")
            opts = [o.strip() for o in (pm.group("opts") or "").split(",") if o.strip()]
            kind = next((o for o in opts if o in PARAM_KINDS), "string")
            params.append(Param(pm.group("name"), kind, "optional" in opts, (pm.group("desc") or "").strip()))
        else:
            meta[k] = v
    name = meta.get("name") or path.stem
    return ShippedQuery(name, meta.get("title", name), meta.get("description", ""), params, text, path,
                        [t.strip() for t in meta.get("tags", "").split(",") if t.strip()])


def shipped(directory: str | os.PathLike[str] | None = None) -> dict[str, ShippedQuery]:
    """The shipped questions by name."""
    d = Path(directory) if directory else QUERIES_DIR
    out: dict[str, ShippedQuery] = {}
    for p in sorted(d.glob("*.rq")):
        q = parse_header(p.read_text(encoding="utf-8"), p)
        out[q.name] = q
    return out


def resolve(spec: str) -> tuple[str, ShippedQuery | None]:
    """A query from a shipped name, a ``.rq`` file, or SPARQL text: (text, shipped query or None)."""
    qs = shipped()
    if spec in qs:
        return qs[spec].text, qs[spec]
    if "\n" not in spec and len(spec) < 4096 and os.path.isfile(spec):
        try:
            text = Path(spec).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"cannot read query file {spec}: {e}") from None
        return text, parse_header(text, Path(spec))
    if re.match(r"^[\w.-]+$", spec.strip()) and not re.search(r"\b(?:select|ask|construct|describe)\b", spec, re.I):
        near = _nearest(spec, list(qs))
        hint = f"; did you mean {', '.join(near)}?" if near else "; `legalkg query --list` shows them"
        raise QueryError(f"no shipped question or file named {spec!r}{hint}")
    return spec, None


def _nearest(word: str, options: list[str], n: int = 3) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, options, n=n, cutoff=0.5)


# --------------------------------------------------------------------------------------------------
# Parameters


def param_term(value: str, kind: str) -> Any:
    """A parameter value as an RDF term of its kind (raises QueryError on a bad value)."""
    if kind in ("key", "name"):
        v = lookup_form(value)
        if not v:
            raise QueryError(f"empty value for a {kind} parameter")
        return ox.Literal(v)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise QueryError(f"{value!r} is not an integer")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise QueryError(f"{value!r} is not a date (YYYY-MM-DD)")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + "date"))
    if kind == "iri":
        try:
            return ox.NamedNode(value.strip())
        except ValueError as e:
            raise QueryError(f"{value!r} is not an IRI ({e})") from None
    return ox.Literal(value)


_TOKEN = re.compile(
    r'(?P<comment>#[^\n]*)|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<brace>\{)|(?P<word>[A-Za-z_]+)|(?P<var>[?$]\w+)",
)


def _outer_where(query: str) -> int | None:
    """Offset just after the ``{`` that opens the outer WHERE group (comments, strings and IRIs skipped)."""
    seen_where = False
    seen_form = None
    for m in _TOKEN.finditer(query):
        if m.group("word"):
            w = m.group("word").upper()
            if w == "WHERE":
                seen_where = True
            elif w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and seen_form is None:
                seen_form = w
        elif m.group("brace"):
            # CONSTRUCT { template } WHERE { ... }: the template's brace is not the group
            if seen_where or (seen_form in ("SELECT", "ASK")):
                return m.end()
    return None


def _variables(query: str) -> set[str]:
    return {m.group("var")[1:] for m in _TOKEN.finditer(query) if m.group("var")}


_MARKER = re.compile(r"(?m)^[ \t]*#[ \t]*@params\b(?P<names>[^\n]*)$")


def values_block(values: dict[str, Any]) -> str:
    """A ``VALUES`` block binding each variable to a term, or to any term of a list (one row per combination)."""
    names = " ".join(f"?{k}" for k in values)
    choices = [v if isinstance(v, (list, tuple)) else [v] for v in values.values()]
    rows = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in itertools.product(*choices))
    return f"VALUES ({names}) {{ {rows} }}"


def bind_params(query: str, values: dict[str, Any]) -> str:
    """Bind variables to RDF terms (or to any of a list of terms) with ``VALUES`` blocks.

    A block goes where a ``# @params NAME ...`` comment line stands (inside a sub-select, whose
    variables the outer query cannot bind), for the names it lists (all when it lists none); the
    parameters no marker takes go at the start of the outer WHERE group.
    """
    if not values:
        return query
    placed: set[str] = set()

    def at_marker(m: re.Match[str]) -> str:
        wanted = m.group("names").split() or list(values)
        here = {k: v for k, v in values.items() if k in wanted}
        placed.update(here)
        return values_block(here) if here else m.group(0)

    out = _MARKER.sub(at_marker, query)
    rest = {k: v for k, v in values.items() if k not in placed}
    if not rest:
        return out
    pos = _outer_where(out)
    if pos is None:
        raise QueryError("cannot place parameters: the query has no WHERE group")
    return out[:pos] + f" {values_block(rest)} " + out[pos:]


def prepare(spec: str, params: dict[str, str] | None = None) -> tuple[str, ShippedQuery | None]:
    """The SPARQL text to run for ``spec`` (shipped name, file or text) and the given parameters."""
    text, sq = resolve(spec)
    params = dict(params or {})
    check_syntax(text)
    declared = {p.name: p for p in sq.params} if sq else {}
    used = _variables(text)
    values: dict[str, Any] = {}
    for name, raw in params.items():
        if name in declared:
            kind = declared[name].kind
        elif name in used:
            kind = "string"
        else:
            opts = sorted(set(declared) | (used if not sq else set()))
            raise QueryError(f"unknown parameter {name!r}" + (f" (parameters: {', '.join(opts)})" if opts else ""))
        values[name] = param_term(raw, kind)
    for p in declared.values():
        if not p.optional and p.name not in values:
            raise QueryError(f"missing parameter {p.name!r}: {p.description} (use --param {p.name}=VALUE)")
    return bind_params(text, values), sq


def check_syntax(text: str) -> None:
    """Raise QueryError with the parser's message and position if ``text`` is not valid SPARQL."""
    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as e:
        raise _syntax_error(text, e) from None


def _syntax_error(text: str, e: SyntaxError) -> QueryError:
    msg = " ".join(str(e).split())
    m = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)", msg)
    if not m:
        return QueryError(f"malformed SPARQL: {msg}")
    line, col, what = int(m.group(1)), int(m.group(2)), m.group(3)
    # the parser lists every character class it would accept; the Unicode ranges say nothing to a user
    what = re.sub(r",?\s*\['A' \.\.= 'Z'.*$", ", or a name", what)
    if len(what) > 240:
        what = what[:239] + "…"
    lines = text.splitlines() or [""]
    detail = None
    if 1 <= line <= len(lines):
        src = lines[line - 1]
        detail = f"  {src}\n  {' ' * max(0, col - 1)}^"
    return QueryError(f"malformed SPARQL at line {line}, column {col}: {what}", detail)


# --------------------------------------------------------------------------------------------------
# Running and formatting


@dataclass
class Result:
    """A query result: SELECT rows (terms), ASK boolean or CONSTRUCT triples."""

    kind: str  # select | ask | graph
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)

    def records(self) -> list[dict[str, str | None]]:
        return [{v: (None if t is None else t.value) for v, t in zip(self.variables, r, strict=True)}
                for r in self.rows]

    def column(self, name: str) -> list[str | None]:
        i = self.variables.index(name)
        return [None if r[i] is None else r[i].value for r in self.rows]


def run(store: Any, spec: str, params: dict[str, str] | None = None) -> Result:
    """Run a shipped question, a ``.rq`` file or SPARQL text on a store (kg.store.GraphStore)."""
    text, _ = prepare(spec, params)
    try:
        res = store.store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as e:  # after binding parameters: should not happen, but say it plainly
        raise _syntax_error(text, e) from None
    except (OSError, RuntimeError, ValueError) as e:
        raise QueryError("query failed: " + " ".join(str(e).split())) from None
    return _collect(res)


def _collect(res: Any) -> Result:
    if isinstance(res, ox.QueryBoolean):
        return Result("ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        vs = [v.value for v in res.variables]
        rows = [[sol[v] for v in vs] for sol in res]
        return Result("select", vs, rows)
    return Result("graph", triples=list(res))


def _term_json(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    d = {"type": "literal", "value": t.value}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype is not None and t.datatype.value != XSD + "string":
        d["datatype"] = t.datatype.value
    return d


def to_json(result: Result) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    if result.kind == "graph":
        raise QueryError("a CONSTRUCT/DESCRIBE result is a graph: it is printed as N-Triples, not JSON")
    bindings = []
    for r in result.rows:
        bindings.append({v: _term_json(t) for v, t in zip(result.variables, r, strict=True) if t is not None})
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def to_csv(result: Result) -> str:
    """W3C SPARQL 1.1 CSV (values only, CRLF line ends)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerow(["boolean"])
        w.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    w.writerow(result.variables)
    for r in result.rows:
        w.writerow(["" if t is None else t.value for t in r])
    return buf.getvalue()


def _short(t: Any) -> str:
    if t is None:
        return ""
    v = t.value
    if isinstance(t, ox.NamedNode):
        for p, ns in PREFIXES.items():
            if v.startswith(ns) and re.fullmatch(r"[\w.-]*", v[len(ns):]):
                return f"{p}:{v[len(ns):]}"
    return v


def to_table(result: Result, max_width: int = 60) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return "".join(f"{t} .\n" for t in result.triples)
    if not result.rows:
        return "(no results)"
    cells = [[_clip(_short(t), max_width) for t in r] for r in result.rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(result.variables)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(result.variables, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for c in cells:
        lines.append("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)).rstrip())
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def format_result(result: Result, fmt: str = "table") -> str:
    if result.kind == "graph":
        return "".join(f"{t} .\n" for t in result.triples)
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "table":
        return to_table(result)
    raise QueryError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def listing() -> str:
    """The shipped questions, their parameters and descriptions (for ``legalkg query --list``)."""
    out = []
    for q in shipped().values():
        out.append(f"{q.name}: {q.title}")
        for p in q.params:
            opt = ", optional" if p.optional else ""
            out.append(f"    --param {p.name}=...  [{p.kind}{opt}] {p.description}")
    return "\n".join(out)


PREFIX_HEADER = sparql_prefixes()


def query(store: Any = None, spec: str = "", params: dict[str, str] | None = None) -> Result:
    """Run a shipped question, a ``.rq`` file or SPARQL text; ``store`` is a GraphStore, a store directory or
    None (the default store). ``kg.query(...)`` is this function."""
    from kg.store import as_store

    return run(as_store(store), spec, params)


class _CallableModule(types.ModuleType):
    # `import kg.query` makes kg.query this module; calling it still runs the query
    def __call__(self, *args: Any, **kwargs: Any) -> Result:
        return query(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
