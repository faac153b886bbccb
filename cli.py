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
    import os
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
        # The reader went away (`| head`): stop quietly, and keep Python from complaining at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(1)
    finally:
        if bar is not None:
            bar.close()
    if bar is not None:
        click.echo(f"legalkg: {done} extracted, {failed} failed", err=True)
    sys.exit(1 if failed else 0)


# COMMANDS-GRAPH (build, query, trace, export, validate live below this line)


# COMMANDS-VIEWS (render, serve live below this line)


if __name__ == "__main__":
    main()
