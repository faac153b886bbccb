"""The `legalkg` command: argument handling only; the work happens in the `kg` package."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legalkg")
def main() -> None:
    """Vietnamese legal documents (clean or OCR'd) into a citation knowledge graph.

    Typical use: `legalkg build data/samples`, then `legalkg trace 57-KL/TW`,
    `legalkg query --list`, `legalkg render -o graph.html`.
    """


# COMMANDS-EXTRACT (extract command lives below this line)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str), metavar="FILE...")
@click.option("--json", "fmt", flag_value="json", default=True,
              help="Print JSON (the default): one object for one file, JSON Lines (one object per document, "
                   "with its path) for several files, a folder or a .jsonl/.jsonl.gz corpus.")
@click.option("--table", "fmt", flag_value="table", help="Print a readable summary per document instead.")
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=64, show_default=True,
              metavar="MB", help="Largest document to read, in MB.")
def extract(files: tuple[str, ...], fmt: str, max_size: float) -> None:
    """Extract documents, mentions, relations, tasks and bodies from FILE... .

    FILE may be a text file (UTF-8, UTF-16, Windows-1258, TCVN3 or VNI), a folder (its .txt and .md
    files, recursively), a JSON Lines corpus (.jsonl or .jsonl.gz, one {"id", "text"} per line) or -
    for standard input. A file that cannot be read gets one error line on stderr and the others go on;
    the exit code is 1 if any input failed.
    """
    import sys

    from kg.reading import InputError, is_batch
    from kg.report import extract_all, render_table, to_json

    batch = is_batch(files)
    out = click.get_binary_stream("stdout")  # UTF-8 whatever the locale says
    bar = None
    if batch and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit=" doc", file=sys.stderr)

    def say(line: str) -> None:
        if bar is not None:
            bar.write(line, file=sys.stderr)
        else:
            click.echo(line, err=True)

    done = failed = 0
    try:
        for item in extract_all(files, max_bytes=round(max_size * 2**20)):
            if isinstance(item, InputError):
                failed += 1
                say(f"legalkg: error: {item}")
            else:
                if item.source.note:
                    say(f"legalkg: note: {item.source.name}: {item.source.note}")
                if fmt == "table":
                    text = ("\n" if done else "") + render_table(item.data)
                else:
                    text = to_json(item.data, lines=batch) + "\n"
                out.write(text.encode("utf-8"))
                out.flush()
                done += 1
            if bar is not None:
                bar.update()
    except BrokenPipeError:
        _reader_gone()
    finally:
        if bar is not None:
            bar.close()
    if bar is not None:
        click.echo(f"legalkg: {done} extracted, {failed} failed", err=True)
    sys.exit(1 if failed else 0)


# COMMANDS-GRAPH (build, query, trace, export, validate live below this line)

_STORE_HELP = ("Store directory (default: $LEGALKG_STORE, else ~/.local/share/legalkg/store). "
               "Created by `legalkg build`.")


def _store_option(f):  # type: ignore[no-untyped-def]
    return click.option("--store", "store_dir", type=click.Path(path_type=str), default=None, metavar="DIR",
                        help=_STORE_HELP)(f)


def _fail(message: str, detail: str | None = None) -> None:
    import sys

    click.echo(f"legalkg: error: {message}", err=True)
    if detail:
        click.echo(detail, err=True)
    sys.exit(1)


def _open(store_dir: str | None):  # type: ignore[no-untyped-def]
    from kg.store import StoreError, open_store

    try:
        return open_store(store_dir)
    except StoreError as e:
        _fail(str(e))


def _out(text: str) -> None:
    out = click.get_binary_stream("stdout")
    try:
        out.write(text.encode("utf-8"))
        out.flush()
    except BrokenPipeError:
        _reader_gone()


def _reader_gone() -> None:
    """The reader of stdout went away (``| head``): stop quietly, and keep Python from complaining at exit."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str), metavar="PATH...")
@_store_option
@click.option("--endpoint", metavar="URL", default=None,
              help="Also push the named graphs to a SPARQL 1.1 Graph Store Protocol endpoint "
                   "(e.g. http://127.0.0.1:7878/store for `oxigraph serve`); only changed graphs are sent.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Extraction processes (default: all cores).")
@click.option("--base", default=None, metavar="IRI", help="IRI base of the graph (default https://legalkg.org/; "
              "fixed when the store is created).")
@click.option("--force", is_flag=True, help="Re-extract every source, even unchanged ones.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=64, show_default=True,
              metavar="MB", help="Largest document to read, in MB.")
def build(paths: tuple[str, ...], store_dir: str | None, endpoint: str | None, jobs: int | None, base: str | None,
          force: bool, no_progress: bool, max_size: float) -> None:
    """Extract every document under PATH... into the graph store.

    PATH may be a text file, a folder (its .txt and .md files) or a JSON Lines corpus (.jsonl,
    .jsonl.gz: one document per line). Each source becomes its own named graph; unchanged sources are
    skipped, changed ones replaced, others kept. A bad file is reported and skipped (exit code 1);
    an interrupted or failed build leaves the store as it was.
    """
    import sys

    from kg.build import build as run_build
    from kg.store import StoreError

    try:
        report = run_build(paths, store_dir, endpoint=endpoint, jobs=jobs, base=base, force=force,
                           progress=not no_progress and sys.stderr.isatty(), max_bytes=round(max_size * 2**20))
    except StoreError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _fail("interrupted: the store was left as it was")
    for line in report.failed:
        click.echo(f"legalkg: error: {line}", err=True)
    click.echo(report.summary())
    sys.exit(1 if report.failed else 0)


@main.command()
@click.argument("query_spec", required=False, metavar="QUERY")
@_store_option
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the question (repeatable), e.g. --param key=57-KL/TW.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="json is the W3C SPARQL 1.1 Query Results JSON format; csv the W3C SPARQL CSV.")
@click.option("--list", "list_", is_flag=True, help="List the shipped questions and their parameters.")
def query(query_spec: str | None, store_dir: str | None, params: tuple[str, ...], fmt: str, list_: bool) -> None:
    """Run SPARQL on the store: QUERY is a shipped question's name, a .rq file, SPARQL text, or - (stdin).

    The default graph is the union of all graphs; the prefixes vn:, eli:, org:, prov:, skos:, rdfs:,
    xsd:, dcterms: are predeclared. Example: legalkg query implementers --param key=57-KL/TW
    """
    import sys

    from kg import query as q

    if list_:
        _out(q.listing() + "\n")
        return
    if not query_spec:
        _fail("give a QUERY (a shipped question, a .rq file or SPARQL text) or --list")
    if query_spec == "-":
        query_spec = sys.stdin.read()
    values: dict[str, str] = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name.strip():
            _fail(f"--param {p!r}: expected NAME=VALUE")
        values[name.strip()] = value
    try:
        text, _ = q.prepare(query_spec, values)  # syntax and parameters checked before opening the store
        store = _open(store_dir)
        result = q.run(store, query_spec, values)
        _out(q.format_result(result, fmt).rstrip("\n") + "\n")
    except q.QueryError as e:
        _fail(str(e), e.detail)


@main.command()
@click.argument("key")
@_store_option
@click.option("--depth", type=click.IntRange(min=0), default=None, help="How many levels below KEY (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the tree as JSON (all tasks, full texts).")
@click.option("--max-tasks", type=click.IntRange(min=0), default=10, show_default=True,
              help="Tasks listed per document in the text view.")
def trace(key: str, store_dir: str | None, depth: int | None, as_json: bool, max_tasks: int) -> None:
    """Documents that implement, guide or are based on KEY, transitively, as a tree.

    KEY is a document number, accent-insensitive (1486/QD-TTg finds 1486/QĐ-TTg), or an IRI. Each
    document shows its type, issuer and date and the tasks it assigns with their responsible bodies.
    """
    import json

    from kg.trace import UnknownKey, render, to_json
    from kg.trace import trace as run_trace

    store = _open(store_dir)
    try:
        roots = run_trace(store, key, depth=depth)
    except UnknownKey as e:
        _fail(str(e))
    if as_json:
        _out(json.dumps(to_json(roots), ensure_ascii=False, indent=1) + "\n")
    else:
        _out(render(roots, max_tasks=max_tasks) + "\n")


@main.command()
@_store_option
@click.option("-f", "--format", "fmt", type=click.Choice(["ttl", "nq", "jsonld", "graphml", "gexf", "csv"]),
              required=True, help="RDF (ttl, nq, jsonld) or the document network (graphml, gexf, csv).")
@click.option("-o", "--output", type=click.Path(path_type=str), default=None, metavar="FILE",
              help="Output file (default: standard output). For csv, FILE.csv gets the edges and "
                   "FILE.nodes.csv the nodes (a folder gets edges.csv and nodes.csv).")
def export(store_dir: str | None, fmt: str, output: str | None) -> None:
    """Export the graph: Turtle, N-Quads (named graphs kept), JSON-LD, GraphML, GEXF or CSV."""
    from kg.export import ExportError
    from kg.export import export as run_export

    store = _open(store_dir)
    try:
        data = run_export(store, fmt, output)
    except ExportError as e:
        _fail(str(e))
    if data is not None:
        _out(data.decode("utf-8"))
    elif output:
        click.echo(f"wrote {output}", err=True)


@main.command()
@_store_option
@click.option("-v", "--verbose", is_flag=True, help="Print pyshacl's full report.")
def validate(store_dir: str | None, verbose: bool) -> None:
    """Check the store against the SHACL shapes (ontology/shapes.ttl); exit code 1 if it does not conform."""
    import sys

    from kg.validate import validate as run_validate

    store = _open(store_dir)
    report = run_validate(store)
    if verbose or not report.conforms:
        click.echo(report.text.rstrip(), err=not report.conforms)
    click.echo(report.summary())
    sys.exit(0 if report.conforms else 1)


# COMMANDS-VIEWS (render, serve live below this line)


@main.command()
@_store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default="graph.html",
              show_default=True, metavar="FILE", help="The page to write (one self-contained HTML file).")
@click.option("--center", metavar="KEY", default=None,
              help="Only the neighbourhood of this document (number, accent-insensitive, or IRI).")
@click.option("--radius", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --center: citation hops to include, in either direction.")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Only documents of this type, by name or code (repeatable): --type 'Kế hoạch' --type QĐ.")
@click.option("--issuer", "issuers", multiple=True, metavar="NAME",
              help="Only documents whose issuer contains NAME, accents ignored (repeatable): --issuer 'Bình Định'.")
@click.option("--since", type=int, default=None, metavar="YEAR", help="Only documents dated YEAR or later.")
@click.option("--relation", "relations", multiple=True, metavar="REL",
              help="Only these links (repeatable): based_on, implements, guides, amends, replaces, repeals, "
                   "cites, issued_by, lead, partner, recipient.")
@click.option("--title", default="legalkg — citation graph", show_default=True, help="Page title.")
def render(store_dir: str | None, output: str, center: str | None, radius: int, types: tuple[str, ...],
           issuers: tuple[str, ...], since: int | None, relations: tuple[str, ...], title: str) -> None:
    """Write the citation graph as an interactive page that works offline.

    Search by number or title (accents optional), filter by type, issuer, year and relation, click a
    node for its details and source excerpt, draw the neighbourhood of one document, export a PNG.
    Example: legalkg render -o kl57.html --center 57-KL/TW --radius 2
    """
    from kg.network import to_networkx
    from kg.render import render as run_render

    store = _open(store_dir)
    try:
        path = run_render(to_networkx(store), output, center=center, radius=radius, types=types or None,
                          issuers=issuers or None, since=since, relations=relations or None, title=title)
    except KeyError as e:
        _fail(e.args[0] if e.args else str(e))
    except ValueError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror or e}")
    click.echo(f"wrote {path}")


@main.command()
@_store_option
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default accepts connections from this machine only.")
@click.option("--timeout", "timeout_s", type=click.IntRange(min=0), default=60, show_default=True,
              help="Per-query time limit in seconds (0: none).")
def serve(store_dir: str | None, port: int, host: str, timeout_s: int) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint with a query editor (the `oxigraph` server).

    Endpoint http://127.0.0.1:PORT/query for any SPARQL client (SPARQLWrapper, YASGUI, rdflib); the
    editor is at http://127.0.0.1:PORT/. The default graph is the union of all graphs; send PREFIX lines.
    """
    import sys

    from kg.serve import ServeError
    from kg.serve import serve as run_serve

    try:
        code = run_serve(store_dir, host=host, port=port, timeout_s=timeout_s or None,
                         announce=lambda line: click.echo(line, err=True))
    except ServeError as e:
        _fail(str(e))
    sys.exit(code)


if __name__ == "__main__":
    main()
